import { referenceBackend } from '@cellgraph/backends'
import { describe, expect, it } from 'vitest'
import { learningRate, Optimizer, type OptimizerConfig } from '../src/index.js'

const backend = referenceBackend()

/** Runs `steps` optimizer updates on one parameter with the given gradients; returns its values. */
async function run(config: OptimizerConfig, start: number[], grads: number[][], lr: number, clip?: number) {
  const shape = [start.length]
  const opt = await Optimizer.create(backend, config, [{ name: 'w', shape }], clip)
  const param = backend.upload({ dims: shape, data: start })
  const norms: number[] = []
  for (const g of grads) {
    const grad = backend.upload({ dims: shape, data: g })
    norms.push((await opt.update({ w: param }, { w: grad }, lr)).gradNorm)
  }
  return { values: Array.from(await param.read()), norms, opt }
}

describe('optimizers against hand-computed steps', () => {
  it('SGD with momentum 0.9 (PyTorch: the buffer starts at the first gradient)', async () => {
    const { values } = await run(
      { kind: 'sgd', momentum: 0.9 },
      [1, 2],
      [
        [0.5, -1],
        [0.5, -1],
      ],
      0.1,
    )
    // step 1: buf = [0.5, -1], p = [0.95, 2.1]; step 2: buf = [0.95, -1.9], p = [0.855, 2.29]
    expect(values[0]).toBeCloseTo(0.855, 12)
    expect(values[1]).toBeCloseTo(2.29, 12)
  })

  it('plain SGD with weight decay', async () => {
    const { values } = await run({ kind: 'sgd', weightDecay: 0.5 }, [2], [[1]], 0.1)
    // g = 1 + 0.5·2 = 2, p = 2 − 0.2
    expect(values[0]).toBeCloseTo(1.8, 12)
  })

  it('Adam: two steps', async () => {
    const { values, opt } = await run({ kind: 'adam' }, [1], [[0.5], [-1]], 0.1)
    // step 1: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25 → p = 1 − 0.1·0.5/(0.5 + 1e-8)
    const p1 = 1 - (0.1 * 0.5) / (0.5 + 1e-8)
    // step 2: m = 0.045 − 0.1 = −0.055, v = 0.00024975 + 0.001 = 0.00124975
    const m = -0.055
    const v = 0.00124975
    const p2 = p1 - (0.1 / (1 - 0.81)) * (m / (Math.sqrt(v) / Math.sqrt(1 - 0.998001) + 1e-8))
    expect(values[0]).toBeCloseTo(p2, 12)
    expect(p2).toBeCloseTo(0.93661, 5)
    expect(Array.from(await opt.slots.exp_avg!.w!.read())[0]).toBeCloseTo(m, 14)
    expect(Array.from(await opt.slots.exp_avg_sq!.w!.read())[0]).toBeCloseTo(v, 14)
  })

  it('AdamW decays the weights before the Adam step', async () => {
    const { values } = await run({ kind: 'adamw', weightDecay: 0.01 }, [1], [[0.5]], 0.1)
    // p = 1·(1 − 0.1·0.01) − 0.1·0.5/(0.5 + 1e-8)
    expect(values[0]).toBeCloseTo(0.999 - (0.1 * 0.5) / (0.5 + 1e-8), 12)
  })

  it('Adam with L2 weight decay adds it to the gradient', async () => {
    const { values } = await run({ kind: 'adam', weightDecay: 1 }, [1], [[-0.5]], 0.1)
    // g = −0.5 + 1 = 0.5 > 0, so the first step moves down by lr
    expect(values[0]).toBeCloseTo(0.9, 7)
  })

  it('clips gradients by their global norm', async () => {
    const { values, norms } = await run({ kind: 'sgd' }, [1, 1], [[3, 4]], 1, 1)
    expect(norms[0]).toBeCloseTo(5, 12)
    // scale = 1 / (5 + 1e-6): p = 1 − [3, 4]·scale
    expect(values[0]).toBeCloseTo(1 - 3 / (5 + 1e-6), 12)
    expect(values[1]).toBeCloseTo(1 - 4 / (5 + 1e-6), 12)
  })

  it('leaves small gradients alone when clipping', async () => {
    const { values } = await run({ kind: 'sgd' }, [1], [[0.3]], 1, 1)
    expect(values[0]).toBeCloseTo(0.7, 12)
  })
})

describe('the tensors of an update', () => {
  it('are the ones given at each step, whether the same as the last step or not', async () => {
    const opt = await Optimizer.create(backend, { kind: 'sgd' }, [{ name: 'w', shape: [1] }])
    const [a, b] = [backend.upload({ dims: [1], data: [1] }), backend.upload({ dims: [1], data: [2] })]
    const g = backend.upload({ dims: [1], data: [0.5] })
    const value = async (t: typeof a) => (await t.read())[0]
    await opt.update({ w: a }, { w: g }, 0.1)
    g.write([1]) // the same tensors again, with new values
    await opt.update({ w: a }, { w: g }, 0.1)
    expect(await value(a)).toBeCloseTo(0.85, 12)
    await opt.update({ w: b }, { w: g }, 0.1) // another parameter tensor
    expect(await value(b)).toBeCloseTo(1.9, 12)
    expect(await value(a)).toBeCloseTo(0.85, 12)
    await opt.update({ w: a }, { w: g }, 0.1)
    expect(await value(a)).toBeCloseTo(0.75, 12)
    const losses = [3, 4].map((v) => backend.upload({ dims: [], data: [v] }))
    for (const loss of [losses[0]!, losses[0]!, losses[1]!])
      expect((await opt.update({ w: a }, { w: g }, 0, loss)).loss).toBe(await value(loss))
    await expect(opt.update({ w: a }, {}, 0.1)).rejects.toThrow("optimizer: no gradient for parameter 'w'")
  })
})

describe('learning-rate schedules', () => {
  it('warms up linearly, then follows a cosine to the floor', () => {
    const s = { kind: 'cosine', warmup: 10, minFactor: 0.1 } as const
    expect(learningRate(1, s, 0, 110)).toBeCloseTo(0.1, 12)
    expect(learningRate(1, s, 9, 110)).toBeCloseTo(1, 12)
    expect(learningRate(1, s, 10, 110)).toBeCloseTo(1, 12)
    expect(learningRate(1, s, 60, 110)).toBeCloseTo(0.55, 12)
    expect(learningRate(1, s, 110, 110)).toBeCloseTo(0.1, 12)
  })

  it('decays in steps', () => {
    const s = { kind: 'step', every: 100, gamma: 0.5 } as const
    expect(learningRate(2, s, 99, 1000)).toBe(2)
    expect(learningRate(2, s, 250, 1000)).toBe(0.5)
  })
})
