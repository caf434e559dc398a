import { builtinCells, type Graph, lstm, sequenceGraph, stackCells } from '@cellgraph/graph'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { referenceBackend, type WebGpuBackend } from '../../src/index.js'
import { embeddedInput, squashedInput, twoConcats } from '../support/cells.js'
import { trainingGraph } from '../support/gradGraphs.js'
import { randomInputs, runOn } from '../support/run.js'
import { firstMismatch } from '../support/tolerance.js'
import { testBackend } from './testBackend.js'

let gpu: WebGpuBackend
beforeAll(async () => {
  gpu = await testBackend()
}, 60_000)
afterAll(() => gpu.dispose())
const reference = referenceBackend()

/** Runs `graph` on WebGPU and the reference with the same inputs; every output must agree. */
async function expectAgree(graph: Graph, batch: number, steps: number, scale?: number) {
  const inputs = randomInputs(graph, batch, steps)
  if (scale !== undefined)
    for (const [name, t] of Object.entries(inputs))
      if (!name.includes('.')) inputs[name] = { dims: t.dims, data: Array.from(t.data, (v) => v * scale) }
  const want = await runOn(reference, graph, inputs)
  const got = await runOn(gpu, graph, inputs)
  for (const name of Object.keys(want)) expect(firstMismatch(got[name]!, want[name]!), name).toBeUndefined()
}

const custom = { embeddedInput, squashedInput, twoConcats }

describe('webgpu forward against the reference', { timeout: 60_000 }, () => {
  for (const [name, cell] of Object.entries({ ...builtinCells, ...custom }))
    it(`runs ${name} over a sequence`, () =>
      expectAgree(sequenceGraph([cell({ input: 3, hidden: 5 })]), 2, 4))

  it('runs a two-layer stack as one model', () =>
    expectAgree(sequenceGraph(stackCells(lstm, { input: 3, hidden: 4, layers: 2 })), 3, 5))

  it('runs sizes that cross the 32-wide matrix tiles', () =>
    expectAgree(sequenceGraph([lstm({ input: 37, hidden: 33 })]), 5, 3))
})

describe('webgpu backward against the reference', { timeout: 60_000 }, () => {
  for (const [name, cell] of Object.entries({ ...builtinCells, ...custom }))
    it(`computes the ${name} training graph (loss and every gradient)`, () =>
      expectAgree(trainingGraph(sequenceGraph([cell({ input: 3, hidden: 5 })]), true), 2, 4))

  it('computes the training graph of a two-layer stack', () =>
    expectAgree(trainingGraph(sequenceGraph(stackCells(lstm, { input: 3, hidden: 4, layers: 2 }))), 3, 5))
})
