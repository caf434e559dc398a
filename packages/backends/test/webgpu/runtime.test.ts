import { GraphBuilder, InputError, log, lstm, sequenceGraph, tensorOf } from '@cellgraph/graph'
import { CONFORMANCE_TOLERANCE, leavesOf, tensorMismatch } from '@cellgraph/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Backend,
  createWebGpuContext,
  type DeviceTensor,
  referenceBackend,
  type WebGpuBackend,
  type WebGpuContext,
  WebGpuUnavailableError,
  webgpuBackend,
  webgpuOrFallback,
} from '../../src/index.js'
import { inputsFor } from './agree.js'
import { watchDevice } from './deviceWatch.js'
import { sgdStep } from './sgdStep.js'
import { useSoftwareVulkan } from './softwareVulkan.js'
import { testBackend } from './testBackend.js'

let context: WebGpuContext
let gpu: WebGpuBackend
let counts: ReturnType<typeof watchDevice>
beforeAll(async () => {
  useSoftwareVulkan()
  context = await createWebGpuContext()
  counts = watchDevice(context)
  gpu = await testBackend({ context })
})
afterAll(() => gpu.dispose())

const model = sequenceGraph([lstm({ input: 3, hidden: 6 })])
const { graph: step, params } = sgdStep(model, 0.05)

function upload(backend: Backend, steps: number, batch = 2, graph = step): Record<string, DeviceTensor> {
  const values = inputsFor(graph, batch, steps)
  return Object.fromEntries(leavesOf(graph).map((leaf, k) => [leaf.name, backend.upload(values[k]!)]))
}
const updatesInto = (tensors: Record<string, DeviceTensor>) =>
  Object.fromEntries(params.map((p) => [`next.${p}`, tensors[p]!]))

describe('webgpu runtime', { timeout: 60_000 }, () => {
  it('runs a whole training step (forward scan, reverse scan, updates) in one submission', async () => {
    const dispatches: number[] = []
    const exe = await gpu.compile(step, {
      trace: (stage) => {
        const n = /: (\d+) dispatches$/.exec(stage)?.[1]
        if (n) dispatches.push(Number(n))
      },
    })
    for (const steps of [3, 24]) {
      const tensors = upload(gpu, steps)
      await exe.run(tensors, { into: updatesInto(tensors) }) // first run at this length builds the plan
      const before = counts.submissions
      await exe.run(tensors, { into: updatesInto(tensors) })
      await exe.run(tensors, { into: updatesInto(tensors) })
      expect(counts.submissions - before).toBe(2)
      for (const t of Object.values(tensors)) t.dispose()
    }
    // Both scans' bodies are encoded once per step into that one submission: one kernel each
    // (the forward product with its gates, the backward δ with its product; counts.test.ts).
    expect(dispatches[1]! - dispatches[0]!).toBe(2 * (24 - 3))
    exe.dispose()
  }, 60_000)

  it('trains with SGD on the device: parameters match the reference, the loss falls', async () => {
    const reference = referenceBackend()
    const [exe, ref] = await Promise.all([gpu.compile(step), reference.compile(step)])
    const onGpu = upload(gpu, 5, 4)
    const onRef = upload(reference, 5, 4)
    for (let k = 0; k < 3; k++) {
      await exe.run(onGpu, { into: updatesInto(onGpu) })
      await ref.run(onRef, { into: updatesInto(onRef) })
    }
    for (const p of params)
      expect(
        tensorMismatch(p, await onGpu[p]!.read(), await onRef[p]!.read(), CONFORMANCE_TOLERANCE),
      ).toBeUndefined()
    const first = (await (await exe.run(onGpu, { into: updatesInto(onGpu) })).loss!.read())[0]!
    for (let k = 0; k < 30; k++) await exe.run(onGpu, { into: updatesInto(onGpu) })
    const last = (await (await exe.run(onGpu, { into: updatesInto(onGpu) })).loss!.read())[0]!
    expect(last).toBeLessThan(first - 0.5 * Math.abs(first))
    exe.dispose()
  }, 60_000)

  it('keeps memory flat over 1,000 training steps and releases everything on dispose', async () => {
    const baseline = gpu.stats()
    const exe = await gpu.compile(step)
    const tensors = upload(gpu, 4)
    await exe.run(tensors, { into: updatesInto(tensors) })
    const warm = gpu.stats()
    const buffersBefore = counts.buffers
    const started = performance.now()
    for (let k = 0; k < 1000; k++) {
      const out = await exe.run(tensors, { into: updatesInto(tensors) })
      if (k % 250 === 0) expect(Number.isFinite((await out.loss!.read())[0])).toBe(true)
    }
    const after = gpu.stats()
    expect(after.liveBuffers).toBe(warm.liveBuffers)
    expect(after.liveBytes).toBe(warm.liveBytes)
    // Only the four loss read-backs made buffers (staging, destroyed after each read).
    expect(counts.buffers - buffersBefore).toBe(4)
    exe.dispose()
    for (const t of Object.values(tensors)) t.dispose()
    expect(gpu.stats().liveBuffers).toBe(baseline.liveBuffers)
    expect(gpu.stats().liveBytes).toBe(baseline.liveBytes)
    await expect(exe.run(tensors)).rejects.toThrow(/disposed/)
    await expect(tensors.x!.read()).rejects.toThrow(/disposed/)
    const perStep = (performance.now() - started) / 1000
    console.log(`1,000 training steps on ${gpu.adapterName}: ${perStep.toFixed(2)} ms per step`)
  }, 120_000)
})

describe('webgpu errors name what is wrong', { timeout: 60_000 }, () => {
  it('rejects bad inputs', async () => {
    const exe = await gpu.compile(model)
    const tensors = upload(gpu, 3, 2, model)
    await expect(
      exe.run({ ...tensors, x: gpu.upload({ dims: [3, 2, 4], data: new Array(24).fill(0) }) }),
    ).rejects.toThrow(InputError)
    await expect(
      exe.run({ ...tensors, x: referenceBackend().upload({ dims: [3, 2, 3], data: new Array(18).fill(0) }) }),
    ).rejects.toThrow(/'x' belongs to another backend/)
    const { x: _, ...missing } = tensors
    await expect(exe.run(missing)).rejects.toThrow(/missing input 'x'/)
    expect(() => gpu.upload({ dims: [2], data: [1, Number.NaN] })).toThrow(/NaN at element 1/)
    expect(() => tensors.x!.write([1])).toThrow(/write of 1 values/)
    exe.dispose()
  })

  it('reports a non-finite output by name when it is read, never a silent NaN', async () => {
    const b = new GraphBuilder()
    const x = b.leaf('input', 'x', { name: 'x', type: tensorOf(3) })
    const exe = await gpu.compile(b.build([{ name: 'y', value: log(x) }]))
    const out = await exe.run({ x: gpu.upload({ dims: [3], data: [1, -1, 0] }) })
    await expect(out.y!.read()).rejects.toThrow(/output 'y' holds NaN at element 1/)
    exe.dispose()
  })

  it('fails clearly without an adapter, or falls back to another backend and says so once', async () => {
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU
    await expect(webgpuBackend({ gpu: noAdapter })).rejects.toThrow(WebGpuUnavailableError)
    await expect(webgpuBackend({ gpu: noAdapter })).rejects.toThrow(/no adapter.*vk_swiftshader_icd\.json/)
    const said: string[] = []
    const warn = (m: string) => said.push(m)
    const first = await webgpuOrFallback(() => referenceBackend(), { gpu: noAdapter, warn })
    const second = await webgpuOrFallback(() => referenceBackend(), { gpu: noAdapter, warn })
    expect([first.name, second.name]).toEqual(['reference', 'reference'])
    expect(said).toHaveLength(1)
    expect(said[0]).toMatch(/Falling back/)
  })

  it('hands the generated WGSL to trace', async () => {
    const stages: string[] = []
    let wgsl = ''
    const exe = await gpu.compile(model, {
      trace: (stage, text) => {
        stages.push(stage)
        if (stage.startsWith('webgpu')) wgsl = text
      },
    })
    await exe.run(upload(gpu, 3, 2, model))
    expect(stages).toContain('mergeProducts')
    expect(stages.at(-1)).toMatch(/^webgpu kernels \(batch 2, steps 3\): \d+ dispatches$/)
    expect(wgsl).toMatch(/@compute @workgroup_size/)
    expect(wgsl).toMatch(/cg_sigmoid\(/)
    exe.dispose()
  })

  it('says when a model does not fit the device binding limit', async () => {
    const small = await webgpuBackend({ adapterLimits: false })
    try {
      const exe = await small.compile(sequenceGraph([lstm({ input: 64, hidden: 512 })]))
      const inputs = upload(small, 512, 64, exe.graph)
      await expect(exe.run(inputs)).rejects.toThrow(/maxStorageBufferBindingSize/)
    } finally {
      small.dispose()
    }
    expect(() => small.upload({ dims: [1], data: [0] })).toThrow(/backend was disposed/)
  })
})
