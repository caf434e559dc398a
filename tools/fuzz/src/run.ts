import fc from 'fast-check'
import { runCase } from './check.js'
import type { Surface } from './surfaces.js'

/** What a fuzz run of one surface saw. */
export interface FuzzReport {
  readonly surface: string
  readonly cases: number
  readonly accepted: number
  /** Rejections by generalised message, most frequent first. */
  readonly rejections: readonly [string, number][]
  /** The slowest case, in milliseconds. */
  readonly slowestMs: number
}

/**
 * Runs `runs` damaged inputs of a surface through runCase (fast-check shrinks any breach to a
 * small example) and tallies the outcomes.
 */
export function fuzzSurface<T>(surface: Surface<T>, runs: number, seed = 1): FuzzReport {
  let cases = 0
  let accepted = 0
  let slowestMs = 0
  const rejections = new Map<string, number>()
  fc.assert(
    fc.property(surface.arbitrary, (input) => {
      const outcome = runCase(surface.named, input as never, () => surface.run(input))
      cases++
      slowestMs = Math.max(slowestMs, outcome.ms)
      if (outcome.accepted) accepted++
      else rejections.set(outcome.rejection!, (rejections.get(outcome.rejection!) ?? 0) + 1)
    }),
    { numRuns: runs, seed },
  )
  return {
    surface: surface.name,
    cases,
    accepted,
    rejections: [...rejections].sort((a, b) => b[1] - a[1]),
    slowestMs,
  }
}
