import { type Graph, gru, lstm, type Node, rowsOf, sequenceGraph, tensorOf } from '@cellgraph/graph'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { planProgram, runPasses, type WebGpuBackend } from '../../src/index.js'
import { trainingGraph } from '../support/gradGraphs.js'
import { expectAgree as agree, inputsFor } from './agree.js'
import { type StepKernel, stepKernels } from './stepKernels.js'
import { testBackend } from './testBackend.js'

const node = (id: string, op: Node['op'], inputs: string[], attrs: object = {}): Node =>
  ({ id, op, inputs, attrs }) as Node

/**
 * A recurrence whose product reads a value the fused kernel before it makes: u = tanh(h + x),
 * then h' = u·W (weight stored [K, N]) alone, or with a tail that reads u again:
 * h' = tanh(u·W + u).
 */
function headRecurrence(hidden: number, tail: boolean): Graph {
  const H = hidden
  const body: Graph = {
    inputs: ['h', 'xt', 'W'],
    nodes: [
      node('h', 'input', [], { name: 'h', type: rowsOf(H) }),
      node('xt', 'input', [], { name: 'xt', type: rowsOf(H) }),
      node('W', 'input', [], { name: 'W', type: tensorOf(H, H) }),
      node('a', 'add', ['h', 'xt']),
      node('u', 'tanh', ['a']),
      node('p', 'matmul', ['u', 'W'], { transposeB: false }),
      ...(tail ? [node('z', 'add', ['p', 'u']), node('hn', 'tanh', ['z'])] : []),
    ],
    outputs: [
      { name: 'h', ref: tail ? 'hn' : 'p' },
      { name: 'y', ref: 'u' },
    ],
  }
  return {
    inputs: ['x', 'h0', 'W'],
    nodes: [
      node('x', 'input', [], { name: 'x', type: rowsOf(H, 'seq') }),
      node('h0', 'state', [], { name: 'h', type: rowsOf(H) }),
      node('W', 'param', [], { name: 'W', shape: [H, H] }),
      node('s', 'scan', ['h0', 'x', 'W'], { body, carries: 1, sequences: 1, reverse: false }),
    ],
    outputs: [
      { name: 'y', ref: 's:1' },
      { name: 'h', ref: 's' },
    ],
  }
}

/** The kernels of each time step, as kinds, and the head product's parts and inner kind where there is one. */
function kernels(graph: Graph) {
  const describe = (k: StepKernel) =>
    k.kind === 'headProduct'
      ? { kind: k.kind, parts: k.parts.length, product: k.product.kind }
      : { kind: k.kind }
  return stepKernels(planProgram(runPasses(graph)).root).map(describe)
}

describe('head products in the plan', () => {
  it("takes an LSTM's backward step: the four gates' δ, joined for δ·W", () => {
    const graph = trainingGraph(sequenceGraph([lstm({ input: 3, hidden: 4 })]))
    expect(kernels(graph)).toEqual([
      { kind: 'productTail' },
      { kind: 'headProduct', parts: 4, product: 'call' },
    ])
  })

  it("takes a GRU's backward step with the sum after δ·W as the product's tail", () => {
    const graph = trainingGraph(sequenceGraph([gru({ input: 3, hidden: 4 })]))
    expect(kernels(graph)).toEqual([
      { kind: 'productTail' },
      { kind: 'headProduct', parts: 3, product: 'productTail' },
    ])
  })

  it('takes a product of one stored value, with or without a tail that reads that value', () => {
    expect(kernels(headRecurrence(4, false))).toEqual([{ kind: 'headProduct', parts: 1, product: 'call' }])
    expect(kernels(headRecurrence(4, true))).toEqual([
      { kind: 'headProduct', parts: 1, product: 'productTail' },
    ])
  })

  it('leaves a product whose x is made partly elsewhere', () => {
    const graph = headRecurrence(4, false)
    const scan = graph.nodes.find((n) => n.op === 'scan') as Node<'scan'>
    const { body } = scan.attrs
    // x = [u | h]: h is the carry as the step reads it, which no kernel of the step makes.
    const nodes = body.nodes.flatMap((n) =>
      n.id === 'p'
        ? [node('ux', 'concat', ['u', 'h']), node('p', 'matmul', ['ux', 'W2'], { transposeB: false })]
        : n.id === 'W'
          ? [n, node('W2', 'input', [], { name: 'W2', type: tensorOf(8, 4) })]
          : [n],
    )
    const changed: Node<'scan'> = {
      ...scan,
      inputs: [...scan.inputs, 'W2'],
      attrs: { ...scan.attrs, body: { ...body, inputs: [...body.inputs, 'W2'], nodes } },
    }
    const W2 = node('W2', 'param', [], { name: 'W2', shape: [8, 4] })
    const outer: Graph = {
      ...graph,
      inputs: [...graph.inputs, 'W2'],
      nodes: [...graph.nodes.filter((n) => n !== scan), W2, changed],
    }
    expect(kernels(outer).map((k) => k.kind)).toEqual(['fused', 'call', 'call'])
  })
})

let gpu: WebGpuBackend
beforeAll(async () => {
  gpu = await testBackend()
}, 60_000)
afterAll(() => gpu.dispose())

// 37 units: two blocks of 32 along the units, the last ragged; K = 37 (three steps of 16 through
// workgroup memory, the last ragged); 5 rows (two a workgroup, the last alone). The head's values
// reach the outputs only through what the first workgroup of each block of rows stores: y = u,
// and in training the weight gradients after the loop read the δ it stores.
describe('webgpu head products against the reference', { timeout: 120_000 }, () => {
  for (const tail of [false, true]) {
    const graph = headRecurrence(37, tail)
    it(`runs a product of the head's value ${tail ? 'with a tail reading it' : 'alone'}`, () =>
      agree(gpu, graph, inputsFor(graph, 5, 3)))
    it(`runs its training graph (${tail ? 'with' : 'without'} a tail)`, () => {
      const training = trainingGraph(graph)
      return agree(gpu, training, inputsFor(training, 5, 3))
    })
  }

  // Three parts of 37 (three steps of 16 units a part, 48 of K staged at once), the tail reading
  // the head's δ of h again at its own element.
  it("runs a GRU's training graph", () => {
    const graph = trainingGraph(sequenceGraph([gru({ input: 5, hidden: 37 })]))
    return agree(gpu, graph, inputsFor(graph, 5, 3))
  })
})
