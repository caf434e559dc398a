import { type Graph, gru, lstm, sequenceGraph, stackCells } from '@cellgraph/graph'
import { afterAll, beforeAll, describe, it } from 'vitest'
import type { WebGpuBackend } from '../../src/index.js'
import { embeddedInput, layerNormed, squashedInput, twoConcats } from '../support/cells.js'
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

// The built-in cells and an LSTM stack run in conformance.test.ts; these are the shapes the passes
// treat specially (input through its own layer or pointwise ops, two concatenations), a deeper
// stack of another cell, and a product large enough for the tiled kernel with ragged tiles.
const custom = { embeddedInput, squashedInput, twoConcats, layerNormed }
const gruStack = () => sequenceGraph(stackCells(gru, { input: 3, hidden: 4, layers: 3 }))
const wideLstm = () => sequenceGraph([lstm({ input: 37, hidden: 33 })])

describe('webgpu forward against the reference', { timeout: 60_000 }, () => {
  for (const [name, cell] of Object.entries(custom))
    it(`runs ${name} over a sequence`, () =>
      expectAgree(sequenceGraph([cell({ input: 3, hidden: 5 })]), 2, 4))

  // Wider than a workgroup: each thread of a row group takes several elements of its row.
  it('runs a layer norm over rows wider than a workgroup', () =>
    expectAgree(sequenceGraph([layerNormed({ input: 3, hidden: 70 })]), 3, 3))

  it('runs a three-layer GRU stack as one model', () => expectAgree(gruStack(), 3, 5))

  it('runs an LSTM whose input product takes the tiled kernel (48×132 outputs)', () =>
    expectAgree(wideLstm(), 16, 3))
})

describe('webgpu backward against the reference', { timeout: 60_000 }, () => {
  for (const [name, cell] of Object.entries(custom))
    it(`computes the ${name} training graph (loss and every gradient)`, () =>
      expectAgree(trainingGraph(sequenceGraph([cell({ input: 3, hidden: 5 })]), true), 2, 4))

  it('computes the training graph of a three-layer GRU stack', () =>
    expectAgree(trainingGraph(gruStack()), 3, 5))

  it('computes the training graph of the wide LSTM', () => expectAgree(trainingGraph(wideLstm()), 16, 3))
})
