import { cpuBackend, gpuWorkBetween } from '@cellgraph/backends'
import { describe, expect, it } from 'vitest'
import {
  builtinModel,
  FitError,
  loadModel,
  recurrentModel,
  type TrainConfig,
  Trainer,
  TrainingError,
  Vocabulary,
} from '../src/index.js'
import { gpuForTests } from './gpu.js'

const vocabulary = new Vocabulary(['a', 'b', 'c', 'd'])
const stream = vocabulary.encode('abcdabcaabcdabca'.repeat(20))
/** A tiny run: 3 lanes, windows of 5, a constant learning rate. */
const tinyRun = (optimizer: TrainConfig['optimizer'], clip: number): TrainConfig => ({
  batch: 3,
  window: 5,
  steps: 6,
  lr: 0.05,
  schedule: { kind: 'constant' },
  optimizer,
  clip,
  seed: 2,
})

describe('training on WebGPU', () => {
  it('takes the same steps as the CPU backend: model, BPTT and optimizer kernels', {
    timeout: 300_000,
  }, async () => {
    const model = builtinModel('gru', { vocabularySize: 4, hidden: 6, layers: 2, dropout: 0.25 })
    const config = tinyRun({ kind: 'adamw' }, 0.5)
    const run = async (backend: Awaited<ReturnType<typeof gpuForTests>> | ReturnType<typeof cpuBackend>) => {
      const trainer = await Trainer.create(backend, model, vocabulary, stream, config)
      const losses: number[] = []
      for (let i = 0; i < 4; i++) losses.push((await trainer.trainStep()).loss)
      return { losses, params: await trainer.parameters() }
    }
    const gpu = await gpuForTests()
    const onGpu = await run(gpu)
    const onCpu = await run(cpuBackend())
    gpu.dispose()
    onGpu.losses.forEach((l, i) => expect(l).toBeCloseTo(onCpu.losses[i]!, 4))
    for (const [name, t] of Object.entries(onCpu.params)) {
      const other = onGpu.params[name]!
      const worst = t.data.reduce((w, v, i) => Math.max(w, Math.abs(v - other.data[i]!)), 0)
      expect(worst, name).toBeLessThan(1e-4)
    }
  })

  it('a step is two runs and one read-back, writing only the window and the changed step scalars', {
    timeout: 300_000,
  }, async () => {
    const model = builtinModel('lstm', { vocabularySize: 4, hidden: 6, layers: 2, dropout: 0.25 })
    const gpu = await gpuForTests()
    const trainer = await Trainer.create(gpu, model, vocabulary, stream, tinyRun({ kind: 'adam' }, 1))
    await trainer.trainStep() // the first step builds each run's plan and zeroes the carried state
    const before = gpu.stats()
    const steps = 4
    for (let i = 0; i < steps; i++) await trainer.trainStep()
    const after = gpu.stats()
    trainer.dispose()
    gpu.dispose()
    const work = gpuWorkBetween(before, after)
    // What a step must do: run the training graph and the optimizer graph (each one submission,
    // one pass), read the loss and gradient norm back together, and write the window's inputs
    // (one-hot x, targets, one dropout mask per layer boundary) and the scalars that change every
    // step (Adam's two bias corrections; the learning rate is constant). Carried states and
    // parameters stay on the device.
    const boundaries = model.cells.length - 1
    expect(work).toMatchObject({
      submissions: 2 * steps,
      passes: 2 * steps,
      writes: (2 + boundaries + 2) * steps,
      readBacks: steps,
    })
    expect(after.liveBuffers).toBe(before.liveBuffers)
  })

  it('a fit step is two runs and one read-back, writing only the batch and the changed step scalars', {
    timeout: 300_000,
  }, async () => {
    const gpu = await gpuForTests()
    const model = await recurrentModel({
      cell: 'lstm',
      inputSize: 3,
      hidden: 5,
      outputs: 2,
      task: 'classification',
      backend: gpu,
    })
    const data = Array.from({ length: 12 }, (_, i) => ({
      x: Array.from({ length: 4 + (i % 3) }, (_, t) => [Math.sin(i + t), Math.cos(i * t), 0.1 * t]),
      y: i % 2,
    }))
    await model.fit(data, { steps: 1, batchSize: 4 }) // builds the plans and the zero states
    const before = gpu.stats()
    const steps = 3
    await model.fit(data, { steps, batchSize: 4, shuffle: false })
    const work = gpuWorkBetween(before, gpu.stats())
    model.dispose()
    gpu.dispose()
    // Per step: the batch (x, mask, the last-step marks, targets) and Adam's two bias
    // corrections; the zero initial states of the batch size were uploaded by the first step.
    expect(work).toMatchObject({
      submissions: 2 * steps,
      passes: 2 * steps,
      writes: (4 + 2) * steps,
      readBacks: steps,
    })
  })
})

/** Every value of every tensor, to compare bit for bit (float32 values read back exactly). */
const flat = (tensors: Record<string, { data: ArrayLike<number> }>) =>
  Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, Array.from(t.data)]))

describe('a diverging run on WebGPU keeps the last good model', () => {
  it('fit: the FitError leaves the parameters of the last good step, finite, and save() works', {
    timeout: 300_000,
  }, async () => {
    const gpu = await gpuForTests()
    const model = await recurrentModel({
      cell: 'gru',
      inputSize: 2,
      hidden: 5,
      backend: gpu, // regression: mean squared error
    })
    const data = Array.from({ length: 8 }, (_, i) => ({
      x: [
        [i, 1],
        [-i, 2],
        [0.5, i],
      ],
      y: i % 3,
    }))
    // Adam moves every weight by about lr per step: after one step of 1e20 the predictions are
    // ~1e20 and their squared error overflows float32, while the weights stay finite.
    let good = flat(await model.stateDict())
    let steps = 0
    const run = model.fit(data, {
      steps: 20,
      batchSize: 4,
      lr: 1e20,
      onStep: async () => {
        good = flat(await model.stateDict())
        steps++
      },
    })
    await expect(run).rejects.toThrow(FitError)
    await expect(run).rejects.toThrow(
      /became (NaN|-?Infinity).* was skipped: the model keeps the parameters of step/,
    )
    expect(steps).toBeGreaterThan(0) // it diverged after a good step, not before any
    const after = flat(await model.stateDict())
    expect(after).toEqual(good)
    for (const values of Object.values(after)) expect(values.every(Number.isFinite)).toBe(true)
    // The model, optimizer state included, saves and loads back as it is.
    const loaded = await loadModel(await model.save(), { backend: 'cpu-js' })
    expect(flat(await loaded.stateDict())).toEqual(good)
    loaded.dispose()
    model.dispose()
    gpu.dispose()
  })

  it('Trainer: the TrainingError leaves the parameters and moments of the last good step; the checkpoint is finite', {
    timeout: 300_000,
  }, async () => {
    const gpu = await gpuForTests()
    const model = builtinModel('lstm', { vocabularySize: 4, hidden: 6, layers: 1 })
    // Adam moves every weight by about lr per step: at 1e37 the loss overflows float32 within a
    // few steps while the weights stay finite (at 1e38, lr / (1 − β₁) alone would overflow).
    const trainer = await Trainer.create(gpu, model, vocabulary, stream, {
      ...tinyRun({ kind: 'adam' }, 0),
      lr: 1e37,
      steps: 20,
    })
    let good = await trainer.checkpoint()
    let failure: unknown
    for (let i = 0; i < 20 && !failure; i++) {
      try {
        await trainer.trainStep()
        good = await trainer.checkpoint()
      } catch (e) {
        failure = e
      }
    }
    expect(failure).toBeInstanceOf(TrainingError)
    expect((failure as Error).message).toMatch(
      /step (\d+) was skipped: the parameters and optimizer state are those of step \d+, the carried states restart from zeros/,
    )
    expect(trainer.step).toBe(good.training.step)
    expect(trainer.step).toBeGreaterThan(0)
    const now = await trainer.checkpoint()
    expect(flat(now.params)).toEqual(flat(good.params))
    for (const slot of Object.keys(now.optimizer))
      expect(flat(now.optimizer[slot]!)).toEqual(flat(good.optimizer[slot]!))
    expect(now.training.optimizerStep).toBe(good.training.optimizerStep)
    for (const t of Object.values(now.carried)) expect(t.data.every((v) => v === 0)).toBe(true)
    const all = [now.params, ...Object.values(now.optimizer), now.carried].flatMap((ts) => Object.values(ts))
    for (const t of all) expect(t.data.every(Number.isFinite)).toBe(true)
    trainer.dispose()
    gpu.dispose()
  })
})
