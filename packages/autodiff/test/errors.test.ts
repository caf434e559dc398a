import { GraphBuilder, lstm, matmul, sequenceGraph, sumAll, tanh, type Value } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { grad } from '../src/index.js'
import { linearFunctional } from './support.js'

/** A graph over tensor leaves `a` [2,3] and `b` [3,2] whose loss is sumAll(f(a, b)). */
function tensorGraph(f: (a: Value, b: Value) => Value) {
  const b = new GraphBuilder()
  const a = b.leaf('param', 'a', { name: 'a', shape: [2, 3] })
  const c = b.leaf('param', 'b', { name: 'b', shape: [3, 2] })
  return b.build([{ name: 'loss', value: sumAll(f(a, c)) }])
}

describe('clear errors', () => {
  const model = linearFunctional(sequenceGraph([lstm({ input: 1, hidden: 2 })]))

  it('names a missing loss and lists the outputs', () => {
    expect(() => grad(model, { loss: 'nope' })).toThrow(
      /loss 'nope' is not an output of the graph; outputs: y, l0.h/,
    )
  })

  it('requires a scalar loss', () => {
    expect(() => grad(model, { loss: 'y' })).toThrow("loss 'y' must be a scalar tensor [], got [T,B,2]")
  })

  it('names an unknown or repeated wrt leaf', () => {
    expect(() => grad(model, { loss: 'loss', wrt: ['l0.q.W'] })).toThrow(
      /wrt names 'l0.q.W', which is not a leaf/,
    )
    expect(() => grad(model, { loss: 'loss', wrt: ['x', 'x'] })).toThrow("wrt names 'x' twice")
  })

  it('explains what the IR cannot express: the gradient of a tensor·tensor product with respect to b', () => {
    expect(() =>
      grad(
        tensorGraph((a, b) => matmul(a, b)),
        { loss: 'loss' },
      ),
    ).toThrow(/node %matmul1 \(matmul\): the gradient with respect to b of a product of two tensors/)
    // With respect to a alone it works.
    expect(() =>
      grad(
        tensorGraph((a, b) => matmul(a, b)),
        { loss: 'loss', wrt: ['a'] },
      ),
    ).not.toThrow()
  })

  it('refuses a tensor carry it would have to save per step', () => {
    const body = new GraphBuilder()
    const h = body.leaf('state', 'h', { name: 'h', type: { layout: 'tensor', shape: [2] } })
    const x = body.leaf('input', 'x', { name: 'x', type: { layout: 'batch', shape: [2] } })
    const h2 = tanh(body.apply('add', [h, body.apply('sumRows', [x], {})[0]!], {})[0]!)
    const bodyGraph = body.build([
      { name: 'h', value: h2 },
      { name: 'y', value: body.apply('mul', [x, h2], {})[0]! },
    ])
    const b = new GraphBuilder()
    const h0 = b.leaf('param', 'h0', { name: 'h0', shape: [2] })
    const xs = b.leaf('input', 'xs', { name: 'xs', type: { layout: 'seq', shape: [2] } })
    const [hT] = b.apply(
      'scan',
      [h0, xs],
      { body: bodyGraph, carries: 1, sequences: 1, reverse: false },
      'loop',
    )
    const graph = b.build([{ name: 'loss', value: sumAll(hT!) }])
    expect(() => grad(graph, { loss: 'loss' })).toThrow(
      /scan %loop: carry %h is a tensor \[2\]; backpropagation through time saves per-step values as rows/,
    )
  })
})
