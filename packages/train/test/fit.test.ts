import { gru, lstm, Rng, tensor } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import {
  decodeSafetensors,
  encodeSafetensors,
  loadModel,
  recurrentModel,
  type Sequence,
} from '../src/index.js'

const rng = new Rng(5)
/** Last-step regression: the sum of a sequence of 2 to 6 values in [−1, 1]. */
const sums: Sequence[] = Array.from({ length: 64 }, () => {
  const x = Array.from({ length: 2 + Math.floor(rng.next() * 5) }, () => [rng.uniform(-1, 1)])
  return { x, y: x.reduce((s, [v]) => s + v!, 0) }
})
const text = 'abcabdabcabd'.repeat(4)
const tokens: Sequence[] = Array.from({ length: 16 }, (_, k) => ({
  x: [...text.slice(k, k + 6 + (k % 4))].map((c) => c.charCodeAt(0) - 97),
}))

describe('fit', () => {
  it('the compiled backend trains as the float64 reference does (same seed, same batches)', async () => {
    const options = { cell: gru, inputSize: 1, hidden: 4, layers: 2, seed: 3 } as const
    const fitted = async (backend: 'cpu-js' | 'reference') => {
      const model = await recurrentModel({ ...options, backend })
      await model.fit(sums.slice(0, 12), { steps: 3, batchSize: 4, lr: 0.05, clip: 1 })
      return model.stateDict()
    }
    const [compiled, reference] = [await fitted('cpu-js'), await fitted('reference')]
    expect(Object.keys(compiled)).toEqual(Object.keys(reference))
    for (const [name, t] of Object.entries(reference))
      t.data.forEach((v, i) => expect(compiled[name]!.data[i], `${name}[${i}]`).toBeCloseTo(v, 4))
  })

  it('learns a sum over sequences of different lengths; callbacks see every step and epoch', async () => {
    const model = await recurrentModel({ cell: lstm, inputSize: 1, hidden: 12, backend: 'cpu-js' })
    const before = (await model.evaluate(sums.slice(48))).loss
    const steps: number[] = []
    const history = await model.fit(sums.slice(0, 48), {
      epochs: 40,
      batchSize: 16,
      lr: 0.02,
      validation: sums.slice(48),
      onStep: (r) => void steps.push(r.step),
    })
    expect(steps).toEqual(Array.from({ length: 120 }, (_, k) => k + 1))
    expect(history.epochs).toHaveLength(40)
    expect(history.epochs.at(-1)!.validation!.loss).toBeLessThan(before / 10)
    const [y] = await model.predict([{ x: [[0.5], [0.25], [-0.5]] }])
    expect(y).toHaveLength(1)
    expect(y![0]).toBeCloseTo(0.25, 0)
  })

  it('stops between steps when the signal aborts', async () => {
    const model = await recurrentModel({ cell: gru, inputSize: 1, hidden: 4, backend: 'cpu-js' })
    const stop = new AbortController()
    const history = await model.fit(sums, {
      epochs: 5,
      batchSize: 8,
      signal: stop.signal,
      onStep: (r) => (r.step === 3 ? stop.abort() : undefined),
    })
    expect(history).toMatchObject({ steps: 3, stopped: true })
  })
})

describe('tokens, stateful steps, state dicts and saved models', () => {
  it('next-token with an embedding: the loss falls, predict has a row per step, step() agrees with predict', async () => {
    const model = await recurrentModel({
      cell: gru,
      tokens: 4,
      embedding: 8,
      hidden: 16,
      backend: 'cpu-js',
      seed: 1,
    })
    const before = await model.evaluate(tokens)
    await model.fit(tokens, { epochs: 30, batchSize: 8, lr: 0.03 })
    const after = await model.evaluate(tokens)
    expect(after.loss).toBeLessThan(before.loss / 2)
    expect(after.accuracy).toBeGreaterThan(0.6)
    const [rows] = await model.predict([{ x: [0, 1, 2] }])
    expect(rows).toHaveLength(3 * 4)
    for (const [t, id] of [0, 1, 2].entries()) {
      const logits = await model.step(id)
      Array.from(logits).forEach((v, c) => expect(v).toBeCloseTo(rows![t * 4 + c]!, 4))
    }
    model.resetState()
    expect(Array.from(await model.step(0))).toEqual(Array.from(rows!.subarray(0, 4)))
  })

  it("stateDict uses PyTorch's names; save and loadModel give the same predictions", async () => {
    const model = await recurrentModel({
      cell: lstm,
      inputSize: 2,
      hidden: 3,
      layers: 2,
      outputs: 2,
      backend: 'cpu-js',
    })
    const state = await model.stateDict()
    expect(Object.keys(state).sort()).toEqual(
      ['decoder.bias', 'decoder.weight']
        .concat(
          [0, 1].flatMap((l) =>
            ['bias_hh', 'bias_ih', 'weight_hh', 'weight_ih'].map((n) => `rnn.${n}_l${l}`),
          ),
        )
        .sort(),
    )
    expect(state['rnn.weight_ih_l0']!.dims).toEqual([12, 2])
    const data = [
      {
        x: [
          [1, 0],
          [0, 1],
          [0.5, 0.5],
        ],
      },
      { x: [[0.2, -1]] },
    ]
    const bytes = await model.save()
    expect(bytes).toBeInstanceOf(Uint8Array)
    const loaded = await loadModel(bytes, { backend: 'reference' })
    const [a, b] = [await model.predict(data), await loaded.predict(data)]
    a.forEach((y, k) => Array.from(y).forEach((v, i) => expect(b[k]![i]).toBeCloseTo(v, 5)))
    expect(() => loaded.loadStateDict({ ...state, 'decoder.bias': tensor([3]) })).toThrow(
      "'decoder.bias' has shape [3], the model expects [2]",
    )
    expect(() => loaded.loadStateDict({ ...state, extra: tensor([1]) })).toThrow("unexpected 'extra'")
    // Names an object inherits are names like any other: refused, not quietly passed over.
    expect(() => loaded.loadStateDict({ ...state, toString: tensor([1]) })).toThrow("unexpected 'toString'")
    const { tensors, metadata } = decodeSafetensors(bytes)
    const proto = encodeSafetensors({ ...tensors, ['__proto__']: tensors['decoder.bias']! }, metadata)
    await expect(loadModel(proto, { backend: 'reference' })).rejects.toThrow("unexpected '__proto__'")
  })
})

describe('mistakes are named', () => {
  it('options', async () => {
    await expect(recurrentModel({ cell: 'lstn', inputSize: 2 })).rejects.toThrow("unknown cell 'lstn'")
    await expect(recurrentModel({ cell: lstm } as never)).rejects.toThrow('give exactly one of inputSize')
    await expect(recurrentModel({ cell: lstm, inputSize: 2, task: 'classification' })).rejects.toThrow(
      "task 'classification' needs outputs",
    )
    await expect(recurrentModel({ cell: lstm, inputSize: 2, hidden: 0 })).rejects.toThrow(
      'hidden must be a positive integer',
    )
  })

  it('data', async () => {
    const model = await recurrentModel({ cell: gru, inputSize: 2, hidden: 2, backend: 'cpu-js' })
    await expect(model.fit([{ x: [1, 2, 3], y: 1 }])).rejects.toThrow(
      'data[0].x has 3 values, not a multiple of inputSize 2',
    )
    await expect(model.fit([{ x: [[1, 2]], y: [1, 2] }])).rejects.toThrow(
      'data[0].y has 2 values, the model needs 1',
    )
    await expect(model.fit([{ x: [[1, Number.NaN]], y: 1 }])).rejects.toThrow('data[0].x[1] is NaN')
    await expect(
      model.fit([{ x: [[1, 2]], y: 1 }], { schedule: { kind: 'cosin' } as never }),
    ).rejects.toThrow('schedule must be an object')
  })
})
