import type { Rng } from '@cellgraph/graph'

/**
 * Inverted dropout: `size` units, each kept with probability 1 − p and scaled by 1/(1 − p), so
 * the layer's expected output is the same as without dropout. Drawn from `rng` in order, so a
 * seeded (or checkpointed) generator gives the same masks again.
 */
export function dropoutMask(rng: Rng, p: number, size: number): Float64Array {
  const mask = new Float64Array(size)
  for (let i = 0; i < size; i++) mask[i] = rng.next() < p ? 0 : 1 / (1 - p)
  return mask
}
