import { numericGrad, valueAndGrad } from '@cellgraph/autodiff'
import { gru, lstm, Rng, type Tensor, tensor } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import {
  type ModelSpec,
  makeBatch,
  modelParams,
  type RecurrentModelOptions,
  recurrentGraph,
  resolveSpec,
  type Sequence,
} from '../src/index.js'

const rng = new Rng(11)
const features = (steps: number, width: number) =>
  Array.from({ length: steps }, () => Array.from({ length: width }, () => rng.uniform(-1, 1)))

/** Host inputs of a model graph for a batch, with seeded parameters. */
function hostInputs(spec: ModelSpec, data: Sequence[], dropout = false): Record<string, Tensor> {
  const graph = recurrentGraph(spec, { loss: true, dropout })
  const b = makeBatch(spec, data, true)
  const inputs: Record<string, Tensor> = {
    x: tensor([b.steps, b.batch, spec.inputWidth], b.x),
    mask: tensor([b.steps, b.batch, 1], b.mask),
    last: tensor([b.steps, b.batch, 1], b.last),
  }
  const width = spec.task === 'regression' ? spec.outputs : 1
  inputs.targets = tensor(spec.at === 'each' ? [b.steps, b.batch, width] : [b.batch, width], b.targets!)
  spec.cells.forEach((cell, l) => {
    for (const s of cell.state) inputs[`l${l}.${s}0`] = tensor([b.batch, cell.sizes.hidden])
    if (dropout && l < spec.cells.length - 1)
      inputs[`dropout${l}`] = tensor(
        [b.steps, b.batch, cell.sizes.hidden],
        Float64Array.from({ length: b.steps * b.batch * cell.sizes.hidden }, () =>
          rng.next() < 0.3 ? 0 : 1 / 0.7,
        ),
      )
  })
  if (spec.at === 'last') inputs.select0 = tensor([b.batch, spec.cells.at(-1)!.sizes.hidden])
  for (const p of modelParams(graph))
    inputs[p.name] = tensor(
      p.shape,
      Float64Array.from({ length: p.shape.reduce((n, d) => n * d, 1) }, () => rng.uniform(-0.5, 0.5)),
    )
  const known = new Set(
    graph.inputs
      .map((id) => graph.nodes.find((n) => n.id === id)!.attrs as { name: string })
      .map((a) => a.name),
  )
  return Object.fromEntries(Object.entries(inputs).filter(([n]) => known.has(n)))
}

const variable: Sequence[] = [
  { x: features(4, 2), y: 1 },
  { x: features(2, 2), y: 0 },
  { x: features(3, 2), y: 2 },
]

describe('the model graph: gradients against float64 finite differences', () => {
  const cases: [string, RecurrentModelOptions, Sequence[], boolean][] = [
    [
      '2-layer GRU, last-step classification, lengths 4, 2, 3',
      { cell: gru, inputSize: 2, hidden: 3, layers: 2, task: 'classification', outputs: 3 },
      variable,
      false,
    ],
    [
      '2-layer LSTM with dropout, per-step regression, lengths 3, 1',
      { cell: lstm, inputSize: 2, hidden: 2, layers: 2, dropout: 0.3, outputs: 2, at: 'each' },
      [
        { x: features(3, 2), y: features(3, 2) },
        { x: features(1, 2), y: features(1, 2) },
      ],
      true,
    ],
    [
      'tokens with an embedding, next-token',
      { cell: gru, tokens: 4, embedding: 3, hidden: 2 },
      [{ x: [0, 3, 1, 2] }, { x: [2, 1] }],
      false,
    ],
  ]
  for (const [name, options, data, dropout] of cases)
    it(name, () => {
      const spec = resolveSpec(options)
      const graph = recurrentGraph(spec, { loss: true, dropout })
      const inputs = hostInputs(spec, data, dropout)
      const analytic = valueAndGrad(graph, inputs, { loss: 'loss' }).grads
      const numeric = numericGrad(graph, inputs, { loss: 'loss' })
      for (const [leaf, n] of Object.entries(numeric))
        n.data.forEach((v, i) => expect(analytic[leaf]!.data[i], `${leaf}[${i}]`).toBeCloseTo(v, 6))
    })
})

describe('variable lengths', () => {
  it('a padded batch has the loss of its sequences alone, weighted by their targets', () => {
    for (const options of [
      { cell: gru, inputSize: 2, hidden: 3, task: 'classification', outputs: 3 },
      { cell: lstm, inputSize: 2, hidden: 3, outputs: 1, at: 'each' },
    ] as RecurrentModelOptions[]) {
      const spec = resolveSpec(options)
      const graph = recurrentGraph(spec, { loss: true })
      const data = variable.map((s) =>
        spec.at === 'each' ? { x: s.x, y: features((s.x as number[][]).length, 1) } : s,
      )
      const together = hostInputs(spec, data)
      const names = new Set(modelParams(graph).map((p) => p.name))
      const params = Object.fromEntries(Object.entries(together).filter(([n]) => names.has(n)))
      const lossOf = (d: Sequence[]) =>
        valueAndGrad(graph, { ...hostInputs(spec, d), ...params }, { loss: 'loss' }).value
      const weights = data.map((s) => (spec.at === 'each' ? (s.x as number[][]).length : 1))
      const alone =
        data.reduce((sum, s, k) => sum + lossOf([s]) * weights[k]!, 0) / weights.reduce((a, b) => a + b)
      expect(lossOf(data)).toBeCloseTo(alone, 10)
    }
  })
})
