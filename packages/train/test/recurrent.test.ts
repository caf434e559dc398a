import { gru, lstm, Rng } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { type RecurrentModelOptions, recurrentGraph, resolveSpec, type Sequence } from '../src/index.js'
import {
  batchInputs,
  expectFiniteDifferenceGrads,
  features,
  paddedAndAlone,
  variableLengths,
} from './helpers.js'

const rng = new Rng(11)
const variable = variableLengths(rng)

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
        { x: features(rng, 3, 2), y: features(rng, 3, 2) },
        { x: features(rng, 1, 2), y: features(rng, 1, 2) },
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
      expectFiniteDifferenceGrads(graph, batchInputs(graph, spec, data, rng))
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
        spec.at === 'each' ? { x: s.x, y: features(rng, (s.x as number[][]).length, 1) } : s,
      )
      const { together, alone } = paddedAndAlone(graph, spec, data, rng)
      expect(together).toBeCloseTo(alone, 10)
    }
  })
})
