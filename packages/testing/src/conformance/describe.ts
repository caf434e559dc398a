import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cellCaseArb } from '../random/cellCase.js'
import { propertyParameters } from '../runs.js'
import type { ConformanceBackend } from './backend.js'
import { backwardCase, builtinModelCases, forwardCase, type GraphCase } from './cases.js'
import { graphMismatch } from './check.js'
import { CONFORMANCE_TOLERANCE, EXACT } from './tolerance.js'

export interface ConformanceOptions {
  /**
   * Random cells per property (one forward, one backward); default 12, or
   * CELLGRAPH_PROPERTY_RUNS when set. Each case is compiled, so keep it small on slow drivers.
   */
  readonly randomCells?: number
  /**
   * For a float64 backend over the interpreter's own arithmetic (the reference backend): demand
   * exact agreement instead of the float32 tolerance.
   */
  readonly exact?: boolean
  /** Timeout of each test in milliseconds; default 120 000. */
  readonly timeout?: number
}

/**
 * Registers the conformance suite for a backend (call it at the top level of a test file):
 * every built-in cell, a two-layer stack and random cells from the generator, forward (the
 * model with its loss) and backward (its gradient graph from autodiff), each compared output by
 * output with the float64 reference interpreter under CONFORMANCE_TOLERANCE. The built-in cases
 * run with ordinary and saturated inputs; random cases include saturated inputs, and a failing
 * random case shrinks to a small printed graph with its inputs.
 */
export function describeConformance(
  backendName: string,
  makeBackend: () => ConformanceBackend | Promise<ConformanceBackend>,
  options: ConformanceOptions = {},
): void {
  const tolerance = options.exact ? EXACT : CONFORMANCE_TOLERANCE
  const timeout = options.timeout ?? 120_000
  const runs = propertyParameters(options.randomCells ?? 12)

  describe(`conformance: ${backendName}`, () => {
    let backend: ConformanceBackend | undefined
    beforeAll(async () => {
      backend = await makeBackend()
    }, timeout)
    afterAll(() => backend?.dispose())
    const check = async (c: GraphCase) => graphMismatch(backend!, c, tolerance)

    for (const c of builtinModelCases()) {
      it(
        `${c.name}: forward`,
        async () => {
          expect(await check(forwardCase(c, `${c.name} forward`))).toBeUndefined()
        },
        timeout,
      )
      it(
        `${c.name}: backward`,
        async () => {
          expect(await check(backwardCase(c, `${c.name} backward`))).toBeUndefined()
        },
        timeout,
      )
    }

    for (const [direction, toCase] of [
      ['forward', forwardCase],
      ['backward', backwardCase],
    ] as const) {
      it(
        `random cells: ${direction}`,
        async () => {
          await fc.assert(
            fc.asyncProperty(cellCaseArb(), async (c) => {
              const problem = await check(toCase(c))
              if (problem) throw new Error(problem)
            }),
            runs,
          )
        },
        timeout,
      )
    }
  })
}
