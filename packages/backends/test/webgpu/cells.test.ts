import { builtinCells, type Graph, lstm, sequenceGraph, stackCells } from '@cellgraph/graph'
import { afterAll, beforeAll, describe, it } from 'vitest'
import type { WebGpuBackend } from '../../src/index.js'
import { embeddedInput, squashedInput, twoConcats } from '../support/cells.js'
import { trainingGraph } from '../support/gradGraphs.js'
import { expectAgree as agree, inputsFor } from './agree.js'
import { testBackend } from './testBackend.js'

let gpu: WebGpuBackend
beforeAll(async () => {
  gpu = await testBackend()
}, 60_000)
afterAll(() => gpu.dispose())
/** WebGPU against the reference, with some saturated data values (|x| in [10, 50]). */
const expectAgree = (graph: Graph, batch: number, steps: number) =>
  agree(gpu, graph, inputsFor(graph, batch, steps, { saturation: 0.2 }))

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
