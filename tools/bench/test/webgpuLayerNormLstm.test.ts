import { existsSync } from 'node:fs'
import { type Backend, openBackend } from '@cellgraph/backends'
import {
  backwardCase,
  CONFORMANCE_TOLERANCE,
  forwardCase,
  graphInputs,
  graphMismatch,
  type ModelCase,
  sequenceModel,
} from '@cellgraph/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { layerNormLstm } from '../src/cells/layerNormLstm.js'

// SwiftShader (Debian's chromium package) unless the environment names a Vulkan driver.
const swiftShader = '/usr/lib/chromium/vk_swiftshader_icd.json'

let gpu: Backend
beforeAll(async () => {
  if (!process.env.VK_ICD_FILENAMES) {
    if (!existsSync(swiftShader))
      throw new Error(`the WebGPU test needs ${swiftShader} (apt-get install chromium libvulkan1)`)
    process.env.VK_ICD_FILENAMES = swiftShader
  }
  gpu = await openBackend('webgpu')
}, 60_000)
afterAll(() => gpu?.dispose())

// The benchmark's custom cell on WebGPU against the float64 reference, as the conformance suite
// checks the built-ins: forward and BPTT, ordinary and saturated inputs, its tolerance.
const model = sequenceModel([layerNormLstm({ input: 3, hidden: 5 })])
const cases: ModelCase[] = [0, 1].map((saturation) => ({
  name: saturation ? 'saturated' : 'ordinary',
  model,
  inputs: graphInputs(model.graph, { batch: 2, steps: 4, saturation, roles: model.roles }, 1 + saturation),
}))

describe('layer_norm_lstm on WebGPU against the reference', { timeout: 120_000 }, () => {
  for (const c of cases) {
    it(`${c.name}: forward`, async () =>
      expect(await graphMismatch(gpu, forwardCase(c), CONFORMANCE_TOLERANCE)).toBeUndefined())
    it(`${c.name}: backward`, async () =>
      expect(await graphMismatch(gpu, backwardCase(c), CONFORMANCE_TOLERANCE)).toBeUndefined())
  }
})
