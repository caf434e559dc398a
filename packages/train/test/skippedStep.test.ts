import {
  type Backend,
  cpuBackend,
  type DeviceTensor,
  referenceBackend,
  wasmCpuBackend,
} from '@cellgraph/backends'
import { GraphBuilder, log, mul, where } from '@cellgraph/graph'
import { afterAll, describe, expect, it } from 'vitest'
import { Optimizer, type OptimizerConfig } from '../src/index.js'
import { gpuForTests } from './gpu.js'

type Values = Record<string, number[]>
const params = [
  { name: 'w', shape: [3] },
  { name: 'u', shape: [2, 2] },
]
const start: Values = { w: [0.5, -1, 2], u: [0.1, 0.2, -0.3, 0.4] }
const first: Values = { w: [0.3, -0.2, 0.1], u: [1, -2, 0.5, 0.25] }
const second: Values = { w: [-0.1, 0.4, 0.2], u: [0.5, 0.5, -1, 2] }

/** A step that must be skipped: a non-finite gradient element or a non-finite loss. */
const poisons: { name: string; grads: Values; loss: number }[] = [
  { name: 'NaN in a gradient', grads: { ...second, u: [0.5, Number.NaN, -1, 2] }, loss: 0.5 },
  { name: '+Infinity in a gradient', grads: { ...second, w: [Infinity, 0.4, 0.2] }, loss: 0.5 },
  { name: 'a NaN loss', grads: second, loss: Number.NaN },
  { name: 'a -Infinity loss', grads: second, loss: -Infinity },
]

const configs: { config: OptimizerConfig; clip?: number }[] = [
  { config: { kind: 'adam' }, clip: 1 },
  { config: { kind: 'adamw', weightDecay: 0.1 } },
  { config: { kind: 'sgd', momentum: 0.9, weightDecay: 0.01 } },
]

const shapeOf = (name: string) => params.find((p) => p.name === name)!.shape

/**
 * A tensor holding `values` on `backend`. WebGPU refuses to upload NaN or ±Infinity, so there
 * they come out of a run: log(-1) is NaN, ±log(0) is ∓Infinity.
 */
async function tensorOn(
  backend: Backend,
  dims: readonly number[],
  values: readonly number[],
): Promise<DeviceTensor> {
  if (backend.name !== 'webgpu' || values.every(Number.isFinite))
    return backend.upload({ dims, data: [...values] })
  const b = new GraphBuilder()
  const leaf = (name: string) => b.leaf('input', name, { name, type: { layout: 'tensor', shape: [...dims] } })
  const [finite, bad, at, sign] = ['finite', 'bad', 'at', 'sign'].map(leaf) as [
    ReturnType<typeof leaf>,
    ReturnType<typeof leaf>,
    ReturnType<typeof leaf>,
    ReturnType<typeof leaf>,
  ]
  const exe = await backend.compile(b.build([{ name: 'v', value: where(bad, mul(sign, log(at)), finite) }]))
  const host = (f: (v: number) => number) => backend.upload({ dims, data: values.map(f) })
  const out = await exe.run({
    finite: host((v) => (Number.isFinite(v) ? v : 0)),
    bad: host((v) => (Number.isFinite(v) ? 0 : 1)),
    at: host((v) => (Number.isNaN(v) ? -1 : Number.isFinite(v) ? 1 : 0)),
    sign: host((v) => (v === Infinity ? -1 : 1)),
  })
  return out.v!
}

const bytes = async (t: DeviceTensor) => Array.from(new Uint8Array((await t.read()).slice().buffer))

/** Every parameter and moment as bytes, so "unchanged" means bit for bit. */
async function snapshot(opt: Optimizer, bound: Record<string, DeviceTensor>) {
  const out: Record<string, number[]> = {}
  for (const [name, t] of Object.entries(bound)) out[`param.${name}`] = await bytes(t)
  for (const [slot, byParam] of Object.entries(opt.slots))
    for (const [name, t] of Object.entries(byParam)) out[`${slot}.${name}`] = await bytes(t)
  return out
}

async function values(opt: Optimizer, bound: Record<string, DeviceTensor>) {
  const out: Record<string, number[]> = {}
  for (const [name, t] of Object.entries(bound)) out[`param.${name}`] = Array.from(await t.read())
  for (const [slot, byParam] of Object.entries(opt.slots))
    for (const [name, t] of Object.entries(byParam)) out[`${slot}.${name}`] = Array.from(await t.read())
  return out
}

/** A step on `backend`: gradients and the loss as tensors there, then the update. */
async function step(
  backend: Backend,
  opt: Optimizer,
  bound: Record<string, DeviceTensor>,
  grads: Values,
  loss: number,
) {
  const onDevice: Record<string, DeviceTensor> = {}
  for (const [name, g] of Object.entries(grads)) onDevice[name] = await tensorOn(backend, shapeOf(name), g)
  return opt.update(bound, onDevice, 0.05, await tensorOn(backend, [], [loss]))
}

async function setUp(backend: Backend, config: OptimizerConfig, clip?: number) {
  const opt = await Optimizer.create(backend, config, params, clip)
  const bound = Object.fromEntries(
    params.map((p) => [p.name, backend.upload({ dims: p.shape, data: start[p.name]! })]),
  )
  return { opt, bound }
}

/** The float64 oracle: the two good steps, with nothing between them. */
async function oracle(config: OptimizerConfig, clip?: number) {
  const backend = referenceBackend()
  const { opt, bound } = await setUp(backend, config, clip)
  await step(backend, opt, bound, first, 0.7)
  await step(backend, opt, bound, second, 0.6)
  return values(opt, bound)
}

const opened: Backend[] = []
afterAll(() => {
  for (const b of opened) b.dispose()
})

/**
 * `reports`: the backend hands the non-finite report back (the update is skipped on the device);
 * otherwise it refuses the run, naming the non-finite value, and nothing changes either.
 */
const backends: [string, () => Promise<Backend>, { reports: boolean; tolerance: number }][] = [
  ['reference', async () => referenceBackend({ checkFinite: false }), { reports: true, tolerance: 0 }],
  ['reference, checking values', async () => referenceBackend(), { reports: false, tolerance: 0 }],
  ['cpu-js', async () => cpuBackend({ checkFinite: false }), { reports: true, tolerance: 2e-6 }],
  ['cpu-js, checking outputs', async () => cpuBackend(), { reports: false, tolerance: 2e-6 }],
  [
    'cpu (WebAssembly SIMD)',
    async () => wasmCpuBackend({ threads: 1, checkFinite: false }),
    { reports: true, tolerance: 2e-6 },
  ],
  ['cpu, checking outputs', async () => wasmCpuBackend({ threads: 1 }), { reports: false, tolerance: 2e-6 }],
  ['webgpu', gpuForTests, { reports: true, tolerance: 2e-6 }],
]

describe('a non-finite step changes nothing: parameters, moments, step count', { timeout: 120_000 }, () => {
  it.each(backends)('%s', async (_, open, { reports, tolerance }) => {
    const backend = await open()
    opened.push(backend)
    for (const { config, clip } of configs) {
      const expected = await oracle(config, clip)
      for (const poison of poisons) {
        const what = `${config.kind}, ${poison.name}`
        const { opt, bound } = await setUp(backend, config, clip)
        const good = await step(backend, opt, bound, first, 0.7)
        expect(Number.isFinite(good.gradNorm) && Number.isFinite(good.loss), what).toBe(true)
        expect(opt.step).toBe(1)
        const before = await snapshot(opt, bound)
        if (reports) {
          const report = await step(backend, opt, bound, poison.grads, poison.loss)
          // the report carries the non-finite value for the host to raise
          if (Number.isFinite(poison.loss)) {
            expect(Number.isFinite(report.gradNorm), what).toBe(false)
            expect(report.loss, what).toBe(poison.loss)
          } else {
            expect(report.loss, what).toBe(poison.loss)
            expect(Number.isFinite(report.gradNorm), what).toBe(true)
          }
        } else
          await expect(step(backend, opt, bound, poison.grads, poison.loss), what).rejects.toThrow(
            /(input|output) .*(NaN|Infinity)/,
          )
        expect(opt.step, what).toBe(1)
        expect(await snapshot(opt, bound), what).toEqual(before)
        // The next good step is step 2 (Adam's bias corrections included), as if the bad one never was.
        await step(backend, opt, bound, second, 0.6)
        expect(opt.step, what).toBe(2)
        const got = await values(opt, bound)
        for (const [name, want] of Object.entries(expected))
          want.forEach((v, i) =>
            expect(Math.abs(got[name]![i]! - v), `${what}: ${name}[${i}]`).toBeLessThanOrEqual(
              tolerance * (1 + Math.abs(v)),
            ),
          )
        opt.dispose()
      }
    }
  })
})
