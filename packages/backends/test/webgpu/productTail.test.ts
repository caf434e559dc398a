import { type Graph, gru, lstm, type Node, rowsOf, sequenceGraph, tensorOf } from '@cellgraph/graph'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fuseProductTails, planProgram, runPasses, type WebGpuBackend } from '../../src/index.js'
import { trainingGraph } from '../support/gradGraphs.js'
import { expectAgree as agree, inputsFor } from './agree.js'
import { testBackend } from './testBackend.js'

const node = (id: string, op: Node['op'], inputs: string[], attrs: object = {}): Node =>
  ({ id, op, inputs, attrs }) as Node

/**
 * A recurrence through a product whose weight is stored [K, N] (not a layer's [N, K]), read by
 * its tail as three column blocks: h' = tanh(a·σ(b) + c + x) for [a | b | c] = h·W.
 */
function blockRecurrence(hidden: number): Graph {
  const H = hidden
  const body: Graph = {
    inputs: ['h', 'xt', 'W'],
    nodes: [
      node('h', 'input', [], { name: 'h', type: rowsOf(H) }),
      node('xt', 'input', [], { name: 'xt', type: rowsOf(H) }),
      node('W', 'input', [], { name: 'W', type: tensorOf(H, 3 * H) }),
      node('p', 'matmul', ['h', 'W'], { transposeB: false }),
      node('a', 'slice', ['p'], { start: 0, end: H }),
      node('b', 'slice', ['p'], { start: H, end: 2 * H }),
      node('c', 'slice', ['p'], { start: 2 * H, end: 3 * H }),
      node('u', 'sigmoid', ['b']),
      node('v', 'mul', ['a', 'u']),
      node('w', 'add', ['v', 'c']),
      node('z', 'add', ['w', 'xt']),
      node('hn', 'tanh', ['z']),
    ],
    outputs: [
      { name: 'h', ref: 'hn' },
      { name: 'y', ref: 'hn' },
    ],
  }
  return {
    inputs: ['x', 'h0', 'W'],
    nodes: [
      node('x', 'input', [], { name: 'x', type: rowsOf(H, 'seq') }),
      node('h0', 'state', [], { name: 'h', type: rowsOf(H) }),
      node('W', 'param', [], { name: 'W', shape: [H, 3 * H] }),
      node('s', 'scan', ['h0', 'x', 'W'], { body, carries: 1, sequences: 1, reverse: false }),
    ],
    outputs: [
      { name: 'y', ref: 's:1' },
      { name: 'h', ref: 's' },
    ],
  }
}

const bodyOf = (graph: Graph) => {
  const loop = planProgram(runPasses(graph)).root.steps.find((st) => st.kind === 'loop')
  if (loop?.kind !== 'loop') throw new Error('no loop')
  return loop.body
}

describe('product tails in the plan', () => {
  it("takes an LSTM's recurrent product with its gates: four column blocks", () => {
    const steps = fuseProductTails(bodyOf(sequenceGraph([lstm({ input: 3, hidden: 4 })])))
    expect(steps.map((st) => st.kind)).toEqual(['productTail'])
    expect(steps[0]!.kind === 'productTail' && steps[0]!.columns).toEqual([0, 4, 8, 12])
  })

  it("takes a GRU's, whose tail reads r ⊙ (W_hn h + b_hn): three blocks", () => {
    const steps = fuseProductTails(bodyOf(sequenceGraph([gru({ input: 3, hidden: 4 })])))
    expect(steps.map((st) => st.kind)).toEqual(['productTail'])
    expect(steps[0]!.kind === 'productTail' && steps[0]!.columns).toEqual([0, 4, 8])
  })

  it('takes a product stored [K, N] read through slices', () => {
    const steps = fuseProductTails(bodyOf(blockRecurrence(70)))
    expect(steps.map((st) => st.kind)).toEqual(['productTail'])
    expect(steps[0]!.kind === 'productTail' && steps[0]!.columns).toEqual([0, 70, 140])
  })

  it('leaves a product that something else reads too', () => {
    const graph = blockRecurrence(4)
    const scan = graph.nodes.find((n) => n.op === 'scan') as Node<'scan'>
    const { body } = scan.attrs
    const read = { ...body, outputs: [...body.outputs, { name: 'p', ref: 'p' }] }
    const nodes = graph.nodes.map((n) => (n === scan ? { ...scan, attrs: { ...scan.attrs, body: read } } : n))
    const kinds = fuseProductTails(
      bodyOf({ ...graph, nodes, outputs: [...graph.outputs, { name: 'p', ref: 's:2' }] }),
    )
    expect(kinds.map((st) => st.kind)).toEqual(['call', 'fused'])
  })
})

let gpu: WebGpuBackend
beforeAll(async () => {
  gpu = await testBackend()
}, 60_000)
afterAll(() => gpu.dispose())

// Sizes past one workgroup's blocks: 70 units (three blocks of 32, the last ragged), K = 70 (five
// steps of 16 through workgroup memory), 5 rows (two a workgroup, the last alone).
describe('webgpu product tails against the reference', { timeout: 60_000 }, () => {
  it('runs a product stored [K, N] with a three-block tail', () =>
    agree(gpu, blockRecurrence(70), inputsFor(blockRecurrence(70), 5, 3)))

  it('runs its training graph', () => {
    const graph = trainingGraph(blockRecurrence(6))
    return agree(gpu, graph, inputsFor(graph, 3, 3))
  })

  it('runs an LSTM 70 units wide (weights stored [N, K])', () => {
    const graph = sequenceGraph([lstm({ input: 5, hidden: 70 })])
    return agree(gpu, graph, inputsFor(graph, 5, 3, { saturation: 0.2 }))
  })

  // Its backward step is one head product: the δ of the four gates, computed as each workgroup
  // stages them, times W (280 × 70): four parts of 70 units, five steps of 16 through each.
  it('runs the training graph of that LSTM', () => {
    const graph = trainingGraph(sequenceGraph([lstm({ input: 5, hidden: 70 })]))
    return agree(gpu, graph, inputsFor(graph, 5, 3))
  })
})
