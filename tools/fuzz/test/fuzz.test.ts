import { describe, expect, it } from 'vitest'
import { fuzzSurface, surfaces } from '../src/index.js'

// Bounded runs for the default tests; `pnpm --filter @cellgraph/fuzz fuzz` runs 10⁴ per surface.
const RUNS = 150

describe('damaged inputs get a named one-line error or are accepted; nothing else changes', () => {
  it.each(surfaces.map((s) => [s.name, s] as const))('%s', (_, surface) => {
    const report = fuzzSurface(surface, RUNS, 1)
    expect(report.cases).toBe(RUNS)
  })
})
