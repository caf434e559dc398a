import { existsSync } from 'node:fs'
import { type GpuProfile, openBackend, type WebGpuBackend } from '@cellgraph/backends'
import {
  backwardCase,
  CONFORMANCE_TOLERANCE,
  forwardCase,
  graphInputs,
  graphMismatch,
  leavesOf,
  type ModelCase,
  sequenceModel,
} from '@cellgraph/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { layerNormLstm } from '../src/cells/layerNormLstm.js'
import { sgdTrainingGraph } from '../src/training.js'

// SwiftShader (Debian's chromium package) unless the environment names a Vulkan driver.
const swiftShader = '/usr/lib/chromium/vk_swiftshader_icd.json'

let gpu: WebGpuBackend
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

/** The kernels of one training step at `steps` time steps, by the kind each kernel's builder named. */
async function trainingProfile(steps: number): Promise<GpuProfile> {
  const graph = sgdTrainingGraph(model.graph, 0.05)
  const exe = await gpu.compile(graph)
  const values = graphInputs(graph, { batch: 2, steps, saturation: 0, roles: model.roles }, 3)
  const inputs = Object.fromEntries(leavesOf(graph).map((leaf, k) => [leaf.name, gpu.upload(values[k]!)]))
  await (await exe.run(inputs)).loss!.read() // builds the plan for this length
  gpu.beginProfile()
  await (await exe.run(inputs)).loss!.read()
  const profile = await gpu.endProfile()
  exe.dispose()
  for (const t of Object.values(inputs)) t.dispose()
  return profile
}

describe('layer_norm_lstm training step on WebGPU, kernel by kernel', { timeout: 120_000 }, () => {
  it('runs each time step as two row groups (forward, backward), every kernel with its kind', async () => {
    const [short, long] = [await trainingProfile(2), await trainingProfile(5)]
    const count = (p: GpuProfile, kind: string) => p.kinds.find((k) => k.kind === kind)?.dispatches ?? 0
    const added = [...new Set([...short.kinds, ...long.kinds].map((k) => k.kind))]
      .map((kind) => [kind, (count(long, kind) - count(short, kind)) / 3] as const)
      .filter(([, n]) => n !== 0)
    expect(Object.fromEntries(added)).toEqual({ 'row group': 2 })
    expect(short.kinds.map((k) => k.kind)).toContain('product') // the projections and weight gradients
  })
})
