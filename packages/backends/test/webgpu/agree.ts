import type { Graph, Tensor } from '@cellgraph/graph'
import { CONFORMANCE_TOLERANCE, graphInputs, graphMismatch, type InputRole } from '@cellgraph/testing'
import { expect } from 'vitest'
import type { Backend } from '../../src/index.js'

/**
 * Runs `graph` on `backend` and on the float64 reference interpreter with the same inputs and
 * expects every output to agree within the conformance suite's one float32 tolerance.
 */
export async function expectAgree(
  backend: Backend,
  graph: Graph,
  inputs: readonly Tensor[],
  name = 'graph',
): Promise<void> {
  expect(await graphMismatch(backend, { name, graph, inputs }, CONFORMANCE_TOLERANCE)).toBeUndefined()
}

/** Seeded inputs for every leaf in binding order; `saturation` is the share of |x| in [10, 50]. */
export const inputsFor = (
  graph: Graph,
  batch: number,
  steps: number,
  options: { saturation?: number; roles?: Record<string, InputRole>; seed?: number } = {},
): Tensor[] =>
  graphInputs(
    graph,
    { batch, steps, saturation: options.saturation ?? 0, roles: options.roles },
    options.seed ?? 1,
  )
