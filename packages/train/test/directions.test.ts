import { gru, lstm, Rng } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import {
  loadModel,
  type RecurrentModelOptions,
  recurrentGraph,
  recurrentModel,
  resolveSpec,
  type Sequence,
} from '../src/index.js'
import {
  batchInputs,
  expectFiniteDifferenceGrads,
  features,
  paddedAndAlone,
  variableLengths,
} from './helpers.js'

const rng = new Rng(17)
const variable = variableLengths(rng)

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
      { x: features(rng, 3, 2), y: features(rng, 3, 2) },
      { x: features(rng, 1, 2), y: features(rng, 1, 2) },
    ],
  ],
  [
    'reverse GRU, last-step regression (the first step is where it has read everything)',
    { cell: gru, inputSize: 2, hidden: 3, direction: 'reverse' },
    [
      { x: features(rng, 3, 2), y: 0.5 },
      { x: features(rng, 2, 2), y: -1 },
    ],
  ],
]

describe('directions in the model graph (float64)', () => {
  for (const [name, options, data] of cases) {
    it(`${name}: gradients match finite differences`, () => {
      const spec = resolveSpec(options)
      const graph = recurrentGraph(spec, { loss: true })
      expectFiniteDifferenceGrads(graph, batchInputs(graph, spec, data, rng))
    })

    it(`${name}: a padded batch has the loss of its sequences alone`, () => {
      const spec = resolveSpec(options)
      const { together, alone } = paddedAndAlone(recurrentGraph(spec, { loss: true }), spec, data, rng)
      expect(together).toBeCloseTo(alone, 10)
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
