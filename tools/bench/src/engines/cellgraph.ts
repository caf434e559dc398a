import {
  type Backend,
  type BackendName,
  type DeviceTensor,
  type GpuProfile,
  type GpuStats,
  type GpuWork,
  gpuWorkBetween,
  openBackend,
  type WebGpuBackend,
  webgpuBackend,
} from '@cellgraph/backends'
import type { BenchConfig, Mode } from '../configs.js'
import { type Engine, measureSession, type Session } from '../engine.js'
import { sgdTrainingGraph, updatedName } from '../training.js'
import type { CheckCase, Problem } from '../workload.js'
import { parseMatmulTuning } from './matmulTuning.js'
import { learningRate } from './tfjs.js'

/** The tensors one sequence length binds: zero initial states, R, and the x every run writes into. */
interface Bound {
  readonly fixed: Record<string, DeviceTensor>
  readonly x: DeviceTensor
}

/**
 * cellgraph on a backend: the forward graph for inference, the SGD training graph (forward, BPTT,
 * update) for training. Parameters are uploaded once and updated in place; each run writes its
 * input into a bound tensor, runs, and reads its result back to the host (outputs for inference,
 * the loss for training).
 */
async function openCellgraph(backend: Backend, problem: Problem): Promise<Session<Float32Array>> {
  const { cell } = problem
  const { batch, input, hidden } = problem.config
  const forward = await backend.compile(problem.graph)
  const training = await backend.compile(sgdTrainingGraph(problem.graph, learningRate))
  const params = Object.fromEntries(Object.entries(problem.params).map(([n, t]) => [n, backend.upload(t)]))
  const updates = Object.fromEntries(Object.entries(params).map(([n, t]) => [updatedName(n), t]))
  const owned: DeviceTensor[] = Object.values(params)
  const upload = (dims: number[], data: Float32Array) => {
    const t = backend.upload({ dims, data })
    owned.push(t)
    return t
  }
  const bind = (b: number, steps: number, R: Float32Array): Bound => {
    const fixed: Record<string, DeviceTensor> = { ...params, R: upload([steps, b, hidden], R) }
    for (const s of cell.state) fixed[`${s}0`] = upload([b, hidden], new Float32Array(b * hidden))
    return { fixed, x: upload([steps, b, input], new Float32Array(steps * b * input)) }
  }
  const perSteps = new Map<number, Bound>()
  const boundFor = (steps: number) => {
    let b = perSteps.get(steps)
    if (!b) perSteps.set(steps, (b = bind(batch, steps, problem.R.subarray(0, steps * batch * hidden))))
    return b
  }
  const work: Record<Mode, GpuWork | undefined> = { train: undefined, infer: undefined }
  const train = async (x: Float32Array, steps: number) => {
    const bound = boundFor(steps)
    bound.x.write(x)
    const out = await training.run({ ...bound.fixed, x: bound.x }, { into: updates })
    await out.loss!.read()
  }
  const infer = async (x: Float32Array, steps: number) => {
    const bound = boundFor(steps)
    bound.x.write(x)
    const out = await forward.run({ ...bound.fixed, x: bound.x })
    await out.y!.read()
  }
  return {
    async checkLoss(check: CheckCase) {
      const bound = bind(check.batch, check.steps, check.R)
      bound.x.write(check.x)
      const out = await forward.run({ ...bound.fixed, x: bound.x })
      return (await out.loss!.read())[0]!
    },
    prepare: (x) => x,
    train: counted(backend, work, 'train', train),
    infer: counted(backend, work, 'infer', infer),
    work: (mode) => work[mode],
    ...profiling(backend),
    dispose() {
      for (const t of owned) t.dispose()
      forward.dispose()
      training.dispose()
    },
  }
}

/**
 * With a backend that counts its GPU work (WebGPU's `stats()`), records in `into` what the latest
 * call cost the device (submissions, compute passes, dispatches, writes, read-backs). Counts,
 * unlike times, mean the same on a software adapter as on a GPU.
 */
function counted(
  backend: Backend,
  into: Record<Mode, GpuWork | undefined>,
  mode: Mode,
  call: (x: Float32Array, steps: number) => Promise<void>,
): (x: Float32Array, steps: number) => Promise<void> {
  const stats = (backend as { stats?: () => GpuStats }).stats?.bind(backend)
  if (!stats) return call
  return async (x, steps) => {
    const before = stats()
    await call(x, steps)
    into[mode] = gpuWorkBetween(before, stats())
  }
}

/** A profiling run where the backend can time its kernels (WebGPU with `timestamp-query`). */
function profiling(backend: Backend): { profiled?: (call: () => Promise<void>) => Promise<GpuProfile> } {
  const gpu = backend as Partial<WebGpuBackend>
  if (!gpu.canProfile || !gpu.beginProfile || !gpu.endProfile) return {}
  return {
    profiled: async (call) => {
      gpu.beginProfile!()
      await call()
      return gpu.endProfile!()
    },
  }
}

/**
 * Dawn for the bench: timestamps unquantized (Dawn rounds them by default, which would blur
 * `--profile`; normal runs write none). The instance is kept: Dawn's must outlive its devices.
 */
let dawn: GPU | undefined
async function benchGpu(): Promise<GPU> {
  const specifier = 'webgpu' // the optional package; absent, openBackend('webgpu') explains
  const { create } = (await import(specifier)) as { create: (flags: string[]) => GPU }
  dawn ??= create(['disable-dawn-features=timestamp_quantization'])
  return dawn
}

/** An engine for a backend of the shared registry (`openBackend`), opened fresh for each problem. */
function cellgraphEngine(
  name: string,
  backend: BackendName | (() => Promise<Backend>),
  extra: Partial<Engine> = {},
): Engine {
  const open = typeof backend === 'string' ? () => openBackend(backend) : backend
  return {
    name,
    anyCell: true,
    ...extra,
    run: async (problem, request) =>
      measureSession(name, await openCellgraph(await open(), problem), problem, request),
  }
}

/** cellgraph's compiled CPU backend with WebAssembly SIMD matrix products (`@cellgraph/wasm`). */
export const cpuWasmEngine = (): Engine => cellgraphEngine('cellgraph cpu-wasm', 'cpu-wasm')

/** cellgraph's compiled CPU backend with plain JavaScript products (float32, generated code). */
export const cpuEngine = (): Engine => cellgraphEngine('cellgraph cpu (JS products)', 'cpu-js')

/** cellgraph's float64 reference interpreter: the oracle, plain and slow, so run at the small size only. */
export const referenceEngine = (): Engine =>
  cellgraphEngine('cellgraph reference interpreter (float64)', 'reference', {
    skip: (config: BenchConfig) =>
      config.name === 'small' ? undefined : 'the float64 interpreter is run at the small size only',
    note: 'cellgraph reference interpreter: the float64 oracle with plain loops, run at the small size only.',
  })

/**
 * cellgraph's WebGPU backend on whatever adapter Dawn finds (VK_ICD_FILENAMES picks the Vulkan
 * driver). The adapter is printed when the engine opens; on a software driver such as SwiftShader
 * the times say nothing about a GPU.
 */
export const webgpuEngine = (): Engine =>
  cellgraphEngine(
    'cellgraph webgpu',
    async () => {
      const gpu = await benchGpu().catch(() => undefined)
      // CELLGRAPH_WEBGPU_MATMUL picks the matrix-product kernels, for sweeps on a GPU.
      const matmul = parseMatmulTuning(process.env.CELLGRAPH_WEBGPU_MATMUL)
      const backend =
        gpu || matmul
          ? await webgpuBackend({ ...(gpu ? { gpu } : {}), ...(matmul ? { matmul } : {}) })
          : await openBackend('webgpu')
      const timing = (backend as Partial<WebGpuBackend>).canProfile
        ? 'per-kernel timing offered (timestamp-query)'
        : 'per-kernel timing not offered: no timestamp-query'
      process.stderr.write(
        `cellgraph webgpu: adapter ${backend.adapterName}${backend.isSoftware ? ' (software)' : ''}; ${timing}` +
          `${matmul ? `; matrix products ${JSON.stringify(matmul)}` : ''}\n`,
      )
      return backend
    },
    {
      note: 'cellgraph webgpu: the adapter is printed on stderr; on a software driver the times say nothing about a GPU.',
    },
  )
