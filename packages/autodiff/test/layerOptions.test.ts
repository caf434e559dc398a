import {
  type Graph,
  gru,
  lengthMask,
  lstm,
  rnn,
  type SequenceOptions,
  sequenceGraph,
  signature,
  stackCells,
} from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { gradcheck, valueAndGrad } from '../src/index.js'
import { explain, linearFunctional, randomInputs } from './support.js'

const leafNames = (g: Graph) =>
  g.inputs.map((id) => (g.nodes.find((n) => n.id === id)!.attrs as { name: string }).name)

/** Float64 finite differences against BPTT for every leaf but the mask and the loss weights. */
function expectGradcheck(graph: Graph, lengths?: number[]) {
  const steps = 4
  const inputs = randomInputs(graph, { steps, batch: lengths?.length ?? 2, seed: 23 })
  if (lengths) inputs.mask = lengthMask(lengths, steps)
  const wrt = leafNames(graph).filter((n) => n !== 'mask' && !n.startsWith('w.'))
  const report = gradcheck(graph, inputs, { loss: 'loss', wrt })
  const worst = Math.max(...Object.values(report).map((r) => r.error))
  if (!(worst < 1e-5)) throw new Error(explain(graph, JSON.stringify(report, null, 1)))
  return { inputs, wrt }
}

const model = (cells: Parameters<typeof sequenceGraph>[0], options: SequenceOptions) =>
  linearFunctional(sequenceGraph(cells, options))

describe('layer options are differentiable (float64 finite differences)', () => {
  it('a two-layer bidirectional GRU with per-sequence lengths', () => {
    const cells = stackCells(gru, { input: 2, hidden: 3, layers: 2, direction: 'bidirectional' })
    expectGradcheck(model(cells, { direction: 'bidirectional', lengths: true }), [4, 1, 3])
  })

  it('a two-layer reverse LSTM', () => {
    expectGradcheck(model(stackCells(lstm, { input: 2, hidden: 3, layers: 2 }), { direction: 'reverse' }))
  })

  it('a clipped RNN with lengths', () => {
    expectGradcheck(model([rnn({ input: 2, hidden: 3 })], { clip: 0.7, lengths: true }), [2, 4])
  })

  it('padding gets no gradient: inputs past a length have zero cotangent', () => {
    const graph = model([gru({ input: 2, hidden: 3 })], { direction: 'reverse', lengths: true })
    const inputs = randomInputs(graph, { steps: 4, batch: 2, seed: 3 })
    inputs.mask = lengthMask([2, 4], 4)
    const { grads } = valueAndGrad(graph, inputs, { loss: 'loss', wrt: ['x'] })
    const features = signature(graph).inputs[0]!.shape[0]!
    for (let t = 2; t < 4; t++)
      for (let f = 0; f < features; f++) expect(grads.x!.data[(t * 2 + 0) * features + f]).toBe(0)
  })
})
