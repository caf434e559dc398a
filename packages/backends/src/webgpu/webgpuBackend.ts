/// <reference types="@webgpu/types" />
import { type Graph, InputError } from '@cellgraph/graph'
import type { Backend, CompileOptions, DeviceTensor, Executable, HostTensor, RunOptions } from '../backend.js'
import { bindSizes, leavesOf } from '../cpu/bind.js'
import { runPasses } from '../passes/pipeline.js'
import type { KernelPlan } from '../plan/kernelPlan.js'
import { planProgram } from '../plan/planner.js'
import { printPlan } from '../plan/print.js'
import {
  createWebGpuContext,
  type DeviceOptions,
  type WebGpuContext,
  WebGpuUnavailableError,
} from './device.js'
import type { MatmulTuning } from './matmul.js'
import { Plan } from './plan.js'
import type { GpuProfile } from './profiler.js'
import { GpuRuntime, type GpuStats } from './runtime.js'
import { WebGpuTensor } from './tensor.js'
import type { RunSizes } from './values.js'

export interface WebGpuBackend extends Backend {
  /** The adapter the device runs on, e.g. "google swiftshader ...". */
  readonly adapterName: string
  readonly isSoftware: boolean
  /** Submissions and live buffers, to check that runs submit once and memory stays flat. */
  stats(): GpuStats
  /** Whether per-kernel GPU timing works here: the adapter offers `timestamp-query`. */
  readonly canProfile: boolean
  /**
   * Times every kernel of the runs that follow, until `endProfile()`: each dispatch gets its own
   * compute pass with timestamps, so profiled runs are slower than normal ones and only the
   * shares by kernel kind carry over. Throws, naming the adapter, where `canProfile` is false.
   */
  beginProfile(): void
  /** Waits for the profiled runs and returns their GPU time by kernel kind (product, row group, copy, …). */
  endProfile(): Promise<GpuProfile>
}

export interface WebGpuBackendOptions extends DeviceOptions {
  /** An existing device context (tests use it to watch the queue). */
  readonly context?: WebGpuContext
  /**
   * Which matrix-product kernels to use (see `MatmulTuning`); the defaults pick per shape. For
   * measuring alternatives on a GPU, not needed otherwise.
   */
  readonly matmul?: MatmulTuning
}

class WebGpuExecutable implements Executable {
  private plan: Plan | undefined
  private owned = new Map<string, WebGpuTensor>()
  private readonly leaves: { id: string; name: string }[]
  private disposed = false

  constructor(
    private readonly runtime: GpuRuntime,
    readonly graph: Graph,
    private readonly kernelPlan: KernelPlan,
    private readonly trace?: (stage: string, text: string) => void,
  ) {
    this.leaves = leavesOf(kernelPlan.root.graph, new Set(kernelPlan.packs.map((p) => p.leaf)))
  }

  async run(inputs: Readonly<Record<string, DeviceTensor>>, options: RunOptions = {}) {
    if (this.disposed) throw new InputError('this executable was disposed')
    this.runtime.check()
    const sizes = bindSizes(this.kernelPlan.root.graph, this.leaves, inputs)
    const plan = this.planFor(sizes)
    const bound = new Map<string, WebGpuTensor>()
    for (const { name } of this.leaves) {
      const t = inputs[name]
      if (!(t instanceof WebGpuTensor) || !t.belongsTo(this.runtime))
        throw new InputError(`input '${name}' belongs to another backend`)
      bound.set(name, t)
    }
    const outputs = new Map<string, WebGpuTensor>()
    for (const [name, info] of plan.outputs) {
      const target = options.into?.[name]
      if (target) {
        if (!(target instanceof WebGpuTensor) || !target.belongsTo(this.runtime))
          throw new InputError(`output '${name}' is written into a tensor of another backend`)
        if (target.count !== info.count)
          throw new InputError(
            `output '${name}' has dims [${info.dims.join(',')}], its target [${target.dims.join(',')}]`,
          )
        outputs.set(name, target)
      } else {
        let own = this.owned.get(name)
        if (!own) this.owned.set(name, (own = new WebGpuTensor(this.runtime, info.dims, name)))
        outputs.set(name, own)
      }
    }
    // submitted with the next read of a result (or before the next write, run or dispose)
    plan.encode(this.runtime.runEncoder(), bound, outputs)
    return Object.fromEntries(outputs) as Record<string, DeviceTensor>
  }

  /** The plan for these sizes; a new size replaces the previous plan, so memory does not pile up. */
  private planFor(sizes: RunSizes): Plan {
    const p = this.plan
    if (p && p.sizes.batch === sizes.batch && p.sizes.steps === sizes.steps) return p
    this.release()
    this.plan = new Plan(this.runtime, this.kernelPlan, this.leaves, sizes, this.trace)
    return this.plan
  }

  private release(): void {
    this.plan?.dispose()
    this.plan = undefined
    for (const t of this.owned.values()) t.dispose()
    this.owned.clear()
  }

  dispose(): void {
    this.disposed = true
    this.release()
  }
}

/**
 * The WebGPU backend: graphs compiled to WGSL compute kernels, float32. In Node.js it runs on
 * the `webgpu` package (Dawn), in a browser on `navigator.gpu`. Throws WebGpuUnavailableError
 * when there is no adapter.
 */
export async function webgpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const context = options.context ?? (await createWebGpuContext(options))
  const runtime = new GpuRuntime(context.device, {
    tuning: options.matmul ?? {},
    subgroups: context.subgroups === true,
  })
  const executables = new Set<WebGpuExecutable>()
  return {
    name: 'webgpu',
    adapterName: context.adapterName,
    isSoftware: context.isSoftware,
    stats: () => runtime.stats(),
    canProfile: runtime.canProfile,
    beginProfile: () => runtime.beginProfile(context.adapterName),
    endProfile: () => runtime.endProfile(),
    async compile(graph: Graph, compileOptions: CompileOptions = {}): Promise<Executable> {
      const plan = planProgram(runPasses(graph, { trace: compileOptions.trace }))
      compileOptions.trace?.('kernel plan', printPlan(plan))
      const exe = new WebGpuExecutable(runtime, graph, plan, compileOptions.trace)
      executables.add(exe)
      return exe
    },
    upload(host: HostTensor): DeviceTensor {
      const t = new WebGpuTensor(runtime, host.dims)
      try {
        t.write(host.data)
      } catch (e) {
        t.dispose()
        throw e
      }
      return t
    },
    dispose() {
      for (const e of executables) e.dispose()
      executables.clear()
      runtime.destroy()
    },
  }
}

let fallbackSaid = false

/**
 * WebGPU where it is available, else `fallback()` (e.g. the CPU backend), saying so once through
 * `warn`. Tests never use this: there a missing adapter must fail.
 */
export async function webgpuOrFallback(
  fallback: () => Backend,
  options: WebGpuBackendOptions & { warn?: (message: string) => void } = {},
): Promise<Backend> {
  try {
    return await webgpuBackend(options)
  } catch (e) {
    if (!(e instanceof WebGpuUnavailableError)) throw e
    if (!fallbackSaid)
      (options.warn ?? console.warn)(`cellgraph: ${e.message} Falling back to another backend.`)
    fallbackSaid = true
    return fallback()
  }
}
