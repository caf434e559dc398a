import { existsSync } from 'node:fs'
import { cpuBackend, gpuWorkBetween, webgpuBackend } from '@cellgraph/backends'
import { describe, expect, it } from 'vitest'
import { builtinModel, recurrentModel, type TrainConfig, Trainer, Vocabulary } from '../src/index.js'

// Without a GPU, Dawn runs on SwiftShader's Vulkan driver from Debian's chromium package (as the
// backends package's tests do); a missing adapter fails this test rather than skipping it.
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json'
if (!process.env.VK_ICD_FILENAMES && existsSync(swiftshader)) process.env.VK_ICD_FILENAMES = swiftshader

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
    const run = async (
      backend: Awaited<ReturnType<typeof webgpuBackend>> | ReturnType<typeof cpuBackend>,
    ) => {
      const trainer = await Trainer.create(backend, model, vocabulary, stream, config)
      const losses: number[] = []
      for (let i = 0; i < 4; i++) losses.push((await trainer.trainStep()).loss)
      return { losses, params: await trainer.parameters() }
    }
    const gpu = await webgpuBackend()
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
    const gpu = await webgpuBackend()
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
    const gpu = await webgpuBackend()
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
