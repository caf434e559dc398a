import { existsSync } from 'node:fs'
import { cpuBackend, webgpuBackend } from '@cellgraph/backends'
import { describe, expect, it } from 'vitest'
import { builtinModel, type TrainConfig, Trainer, Vocabulary } from '../src/index.js'

// Without a GPU, Dawn runs on SwiftShader's Vulkan driver from Debian's chromium package (as the
// backends package's tests do); a missing adapter fails this test rather than skipping it.
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json'
if (!process.env.VK_ICD_FILENAMES && existsSync(swiftshader)) process.env.VK_ICD_FILENAMES = swiftshader

describe('training on WebGPU', () => {
  it('takes the same steps as the CPU backend: model, BPTT and optimizer kernels', {
    timeout: 300_000,
  }, async () => {
    const vocabulary = new Vocabulary(['a', 'b', 'c', 'd'])
    const stream = vocabulary.encode('abcdabcaabcdabca'.repeat(10))
    const model = builtinModel('gru', { vocabularySize: 4, hidden: 6, layers: 2, dropout: 0.25 })
    const config: TrainConfig = {
      batch: 3,
      window: 5,
      steps: 4,
      lr: 0.05,
      schedule: { kind: 'constant' },
      optimizer: { kind: 'adamw' },
      clip: 0.5,
      seed: 2,
    }
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
})
