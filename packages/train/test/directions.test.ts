import { numericGrad, valueAndGrad } from '@cellgraph/autodiff'
import { gru, lstm, Rng, type Tensor, tensor } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import {
  loadModel,
  type ModelSpec,
  makeBatch,
  modelParams,
  type RecurrentModelOptions,
  recurrentGraph,
  recurrentModel,
  resolveSpec,
  type Sequence,
} from '../src/index.js'

const rng = new Rng(17)
const features = (steps: number, width: number) =>
  Array.from({ length: steps }, () => Array.from({ length: width }, () => rng.uniform(-1, 1)))
const variable: Sequence[] = [
  { x: features(4, 2), y: 1 },
  { x: features(2, 2), y: 0 },
  { x: features(3, 2), y: 2 },
]

/** Every leaf of the model graph for a batch: data from the batch, zero states, seeded parameters. */
function hostInputs(
  spec: ModelSpec,
  data: Sequence[],
  params?: Record<string, Tensor>,
): Record<string, Tensor> {
  const graph = recurrentGraph(spec, { loss: true })
  const b = makeBatch(spec, data, true)
  const width = spec.task === 'regression' ? spec.outputs : 1
  const fixed: Record<string, Tensor> = {
    x: tensor([b.steps, b.batch, spec.inputWidth], b.x),
    mask: tensor([b.steps, b.batch, 1], b.mask),
    last: tensor([b.steps, b.batch, 1], b.last),
    targets: tensor(spec.at === 'each' ? [b.steps, b.batch, width] : [b.batch, width], b.targets!),
  }
  const inputs: Record<string, Tensor> = {}
  for (const id of graph.inputs) {
    const n = graph.nodes.find((m) => m.id === id)!
    const name = (n.attrs as { name: string }).name
    if (fixed[name]) inputs[name] = fixed[name]
    else if (n.op === 'input') {
      const f = (n.attrs as unknown as { type: { shape: number[] } }).type.shape[0]!
      inputs[name] = tensor([b.batch, f]) // initial states and select0: zeros
    }
  }
  for (const p of modelParams(graph))
    inputs[p.name] =
      params?.[p.name] ??
      tensor(
        p.shape,
        Float64Array.from({ length: p.shape.reduce((n, d) => n * d, 1) }, () => rng.uniform(-0.5, 0.5)),
      )
  return inputs
}

const cases: [string, RecurrentModelOptions, Sequence[]][] = [
  [
    '2-layer bidirectional GRU, last-step classification, lengths 4, 2, 3',
    {
      cell: gru,
      inputSize: 2,
      hidden: 3,
      layers: 2,
      direction: 'bidirectional',
      task: 'classification',
      outputs: 3,
    },
    variable,
  ],
  [
    'reverse LSTM, per-step regression, lengths 3, 1',
    { cell: lstm, inputSize: 2, hidden: 2, direction: 'reverse', outputs: 2, at: 'each' },
    [
      { x: features(3, 2), y: features(3, 2) },
      { x: features(1, 2), y: features(1, 2) },
    ],
  ],
  [
    'reverse GRU, last-step regression (the first step is where it has read everything)',
    { cell: gru, inputSize: 2, hidden: 3, direction: 'reverse' },
    [
      { x: features(3, 2), y: 0.5 },
      { x: features(2, 2), y: -1 },
    ],
  ],
]

describe('directions in the model graph (float64)', () => {
  for (const [name, options, data] of cases) {
    it(`${name}: gradients match finite differences`, () => {
      const spec = resolveSpec(options)
      const graph = recurrentGraph(spec, { loss: true })
      const inputs = hostInputs(spec, data)
      const analytic = valueAndGrad(graph, inputs, { loss: 'loss' }).grads
      const numeric = numericGrad(graph, inputs, { loss: 'loss' })
      for (const [leaf, n] of Object.entries(numeric))
        n.data.forEach((v, i) => expect(analytic[leaf]!.data[i], `${leaf}[${i}]`).toBeCloseTo(v, 6))
    })

    it(`${name}: a padded batch has the loss of its sequences alone`, () => {
      const spec = resolveSpec(options)
      const graph = recurrentGraph(spec, { loss: true })
      const params = Object.fromEntries(
        Object.entries(hostInputs(spec, data)).filter(([n]) => modelParams(graph).some((p) => p.name === n)),
      )
      const lossOf = (d: Sequence[]) =>
        valueAndGrad(graph, hostInputs(spec, d, params), { loss: 'loss' }).value
      const weights = data.map((s) => (spec.at === 'each' ? (s.x as number[][]).length : 1))
      const alone =
        data.reduce((sum, s, k) => sum + lossOf([s]) * weights[k]!, 0) / weights.reduce((a, b) => a + b)
      expect(lossOf(data)).toBeCloseTo(alone, 10)
    })
  }
})

describe('recurrentModel with a direction', () => {
  it("bidirectional: PyTorch's _reverse names, save and load, and no step()", async () => {
    const model = await recurrentModel({
      cell: lstm,
      inputSize: 2,
      hidden: 3,
      layers: 2,
      direction: 'bidirectional',
      task: 'classification',
      outputs: 3,
      backend: 'reference',
    })
    const state = await model.stateDict()
    expect(state['rnn.weight_ih_l0_reverse']!.dims).toEqual([12, 2])
    expect(state['rnn.weight_ih_l1']!.dims).toEqual([12, 6]) // layer 1 reads both directions
    expect(state['decoder.weight']!.dims).toEqual([3, 6])
    const before = (await model.evaluate(variable)).loss
    await model.fit(variable, { steps: 20, batchSize: 3, lr: 0.05 })
    expect((await model.evaluate(variable)).loss).toBeLessThan(before)
    const loaded = await loadModel(await model.save(), { backend: 'reference' })
    const [a, b] = [await model.predict(variable), await loaded.predict(variable)]
    a.forEach((row, k) => row.forEach((v, i) => expect(b[k]![i]).toBeCloseTo(v, 5)))
    await expect(model.step([0, 0])).rejects.toThrow(
      /step\(\) carries the state forward in time; a bidirectional model/,
    )
  })

  it('refuses a direction that sees the future for next-token, and an unknown one', () => {
    expect(() => resolveSpec({ cell: gru, tokens: 4, direction: 'bidirectional' })).toThrow(
      "task 'next-token' must not see the steps it predicts: direction must be 'forward', got 'bidirectional'",
    )
    expect(() => resolveSpec({ cell: gru, inputSize: 1, direction: 'up' as never })).toThrow(
      "direction must be one of forward, reverse, bidirectional, got 'up'",
    )
  })
})
