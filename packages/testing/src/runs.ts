/**
 * The number of runs of a property: `defaultRuns` in the normal test command, more when the
 * environment variable CELLGRAPH_PROPERTY_RUNS is set (`pnpm test:long` sets 500), and a fixed
 * seed unless CELLGRAPH_PROPERTY_SEED picks another, so a default run is reproducible.
 */
export function propertyParameters(defaultRuns: number): { numRuns: number; seed: number } {
  const env = typeof process === 'undefined' ? {} : process.env
  const runs = Number(env.CELLGRAPH_PROPERTY_RUNS)
  const seed = Number(env.CELLGRAPH_PROPERTY_SEED)
  return {
    numRuns: Number.isInteger(runs) && runs > 0 ? runs : defaultRuns,
    seed: Number.isInteger(seed) ? seed : 20260101,
  }
}
