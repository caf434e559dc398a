import { readFileSync } from 'node:fs'
import { type Graph, lstm, runGraph, sequenceGraph } from '@cellgraph/graph'
import { leavesOf } from '@cellgraph/testing'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  type DeviceTensor,
  type GpuProfile,
  gpuWorkBetween,
  type KernelKind,
  planProgram,
  runPasses,
  type WebGpuBackend,
  type WebGpuContext,
  webgpuBackend,
} from '../../src/index.js'
import { layerNormed } from '../support/cells.js'
import { inputsFor } from './agree.js'
import { sgdStep } from './sgdStep.js'
import { useSoftwareVulkan } from './softwareVulkan.js'
import { stepKernels } from './stepKernels.js'
import { testBackend } from './testBackend.js'

let gpu: WebGpuBackend
beforeAll(async () => {
  gpu = await testBackend()
}, 60_000)
afterAll(() => gpu.dispose())

/** Runs `graph` once (plan built), then `runs` more times inside a profile; returns everything seen. */
async function profiled(graph: Graph, steps: number, read: string, runs = 1) {
  const exe = await gpu.compile(graph)
  const values = inputsFor(graph, 2, steps)
  const inputs: Record<string, DeviceTensor> = Object.fromEntries(
    leavesOf(graph).map((leaf, k) => [leaf.name, gpu.upload(values[k]!)]),
  )
  const warm = await exe.run(inputs)
  await warm[read]!.read()
  const before = gpu.stats()
  await exe.run(inputs)
  const plain = gpuWorkBetween(before, gpu.stats())
  gpu.beginProfile()
  let got: ArrayLike<number> | undefined
  for (let k = 0; k < runs; k++) got = await (await exe.run(inputs))[read]!.read()
  const profile = await gpu.endProfile()
  const after = gpu.stats()
  exe.dispose()
  for (const t of Object.values(inputs)) t.dispose()
  return { profile, plain, got: got!, values, liveBuffers: after.liveBuffers }
}

const model = sequenceGraph([lstm({ input: 3, hidden: 4 })])

describe('webgpu per-kernel timing (timestamp-query)', { timeout: 60_000 }, () => {
  it('is offered on this adapter (SwiftShader offers timestamp-query)', () => {
    expect(gpu.canProfile).toBe(true)
  })

  it('times every dispatch of the profiled runs, by kernel kind', async () => {
    const { profile, plain } = await profiled(model, 3, model.outputs[0]!.name, 2)
    expect(profile.runs).toBe(2)
    expect(profile.dispatches).toBe(2 * plain.dispatches)
    expect(profile.kinds.reduce((s, k) => s + k.dispatches, 0)).toBe(profile.dispatches)
    // the input projection over all steps, and each step's recurrent product with its gates
    expect(profile.kinds.map((k) => k.kind)).toEqual(expect.arrayContaining(['product', 'product with tail']))
    for (const k of profile.kinds) expect(k.ms).toBeGreaterThanOrEqual(0)
    expect(profile.gpuMs).toBeCloseTo(
      profile.kinds.reduce((s, k) => s + k.ms, 0),
      9,
    )
  })

  it('computes the same results while profiling, and frees its buffers', async () => {
    const graph = sgdStep(sequenceGraph([layerNormed({ input: 3, hidden: 5 })]), 0.05).graph
    const before = gpu.stats().liveBuffers
    const { got, values, profile } = await profiled(graph, 3, 'loss')
    expect(gpu.stats().liveBuffers).toBe(before)
    const want = runGraph(graph, values)[graph.outputs.findIndex((o) => o.name === 'loss')]!
    expect(got[0]).toBeCloseTo(want.data[0]!, 3)
    expect(profile.kinds.map((k) => k.kind)).toContain('row group')
  })

  it('leaves normal runs as one pass', async () => {
    const exe = await gpu.compile(model)
    const values = inputsFor(model, 2, 3)
    const inputs = Object.fromEntries(leavesOf(model).map((l, k) => [l.name, gpu.upload(values[k]!)]))
    gpu.beginProfile()
    await (await exe.run(inputs)).y!.read()
    await gpu.endProfile()
    const before = gpu.stats()
    await (await exe.run(inputs)).y!.read()
    expect(gpuWorkBetween(before, gpu.stats()).passes).toBe(1)
    exe.dispose()
    for (const t of Object.values(inputs)) t.dispose()
  })

  it('says in one line when the adapter does not offer timestamp-query', async () => {
    useSoftwareVulkan()
    // A device asked for no optional feature stands in for an adapter without it.
    const { create } = (await import('webgpu')) as { create: (flags: string[]) => GPU }
    const instance = create([]) // kept alive while its device is used
    const device = await (await instance.requestAdapter())!.requestDevice()
    const context: WebGpuContext = { device, adapterName: 'google swiftshader (test)', isSoftware: true }
    const without = await webgpuBackend({ context })
    expect(without.canProfile).toBe(false)
    expect(() => without.beginProfile()).toThrow(
      /per-kernel timing is not offered: the adapter .*swiftshader.* has no 'timestamp-query' feature/i,
    )
    await expect(without.endProfile()).rejects.toThrow(/endProfile\(\) without beginProfile\(\)/)
    without.dispose()
    expect(instance).toBeDefined()
  })
})

/** Every kind a kernel builder names (`KernelKind`). */
const kernelKinds: readonly KernelKind[] = [
  'product',
  'product with tail',
  'product with head',
  'pointwise',
  'row group',
  'row reduction',
  'column sum',
  'sum of all elements',
  'copy',
]

/**
 * The kinds of the kernels one time step adds, from the kernel plan (`stepKernels`): what the
 * builders make of a row group, a product with its tail or head, a fused kernel, a copy.
 */
function kindsPerStep(graph: Graph): Record<string, number> {
  const kindOf: Record<string, KernelKind> = {
    rows: 'row group',
    productTail: 'product with tail',
    headProduct: 'product with head',
    fused: 'pointwise',
    copy: 'copy',
  }
  const counts: Record<string, number> = {}
  for (const k of stepKernels(planProgram(runPasses(graph)).root)) {
    const kind = kindOf[k.kind]
    if (!kind) throw new Error(`a ${k.kind} step in a scan body: not expected in these plans`)
    counts[kind] = (counts[kind] ?? 0) + 1
  }
  return counts
}

describe('kernel kinds, as their builders name them', { timeout: 60_000 }, () => {
  for (const [name, cell] of [
    ['LSTM', lstm],
    ['layer-normed', layerNormed],
  ] as const) {
    it(`${name} training step: every kernel has its kind, and a time step adds the plan's`, async () => {
      const graph = sgdStep(sequenceGraph([cell({ input: 3, hidden: 5 })]), 0.05).graph
      const [short, long] = [
        (await profiled(graph, 2, 'loss')).profile,
        (await profiled(graph, 5, 'loss')).profile,
      ]
      for (const p of [short, long])
        for (const k of p.kinds) expect(kernelKinds, `kind '${k.kind}'`).toContain(k.kind)
      const count = (p: GpuProfile, kind: string) => p.kinds.find((k) => k.kind === kind)?.dispatches ?? 0
      const perStep: Record<string, number> = {}
      for (const kind of kernelKinds) {
        const added = count(long, kind) - count(short, kind)
        if (added !== 0) perStep[kind] = added / 3
      }
      expect(perStep).toEqual(kindsPerStep(graph))
      // Outside the loops: the input projection and the weight gradients are products.
      expect(count(short, 'product')).toBeGreaterThan(0)
    })
  }
})

describe('README per-kernel timing example', () => {
  const example = readFileSync(new URL('./profileExample.ts', import.meta.url), 'utf8')
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

  it('is in the README, verbatim', () => expect(readme).toContain(example.trim()))

  it('prints GPU time by kernel kind', { timeout: 60_000 }, async () => {
    useSoftwareVulkan()
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    await import('./profileExample.js')
    const printed = log.mock.calls.map((c) => String(c[0]))
    log.mockRestore()
    expect(printed.some((line) => /^product: \d+ dispatches, \d+\.\d{3} ms$/.test(line))).toBe(true)
  })
})
