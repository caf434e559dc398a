import { type Graph, GraphError, InputError, verify } from '@cellgraph/graph'
import type { Backend, CompileOptions, DeviceTensor, Executable, HostTensor, RunOptions } from '../backend.js'
import { runPasses } from '../passes/pipeline.js'
import type { KernelPlan } from '../plan/kernelPlan.js'
import { planProgram } from '../plan/planner.js'
import { printPlan } from '../plan/print.js'
import { bindSizes, type Leaf, leavesOf } from './bind.js'
import { type GeneratedCode, generate, type RunSizes } from './codegen.js'
import { deliver } from './finite.js'
import { helpers } from './helpers.js'
import { type CpuKernels, jsKernels } from './kernels.js'
import { CpuTensor } from './tensor.js'

export interface CpuBackendOptions {
  /** Matrix-product kernels; plain JavaScript by default. */
  readonly kernels?: CpuKernels
  /** Fail, naming the output, when an output holds NaN or ±Infinity. Default true. */
  readonly checkFinite?: boolean
  /**
   * Where float32 storage comes from (tensors and compiled buffers): kernels that work on their
   * own memory (WebAssembly) allocate views of it here. Default: plain Float32Arrays.
   */
  readonly allocate?: (floats: number) => Float32Array
  /** The backend's name; default 'cpu'. */
  readonly name?: string
  /**
   * Wraps the run of each instance (the code for one batch size and sequence length) once, when
   * it is built: the cpu-wasm backend times each instance's runs there to choose its threads.
   */
  readonly wrapInstance?: (run: InstanceRun) => InstanceRun
}

/** Runs an instance's generated code on its arguments: `fresh`, then the input arrays. */
export type InstanceRun = (args: readonly [boolean, ...Float32Array[]]) => void

/** Code and buffers for one batch size and sequence length, built on first use and then reused. */
interface Instance {
  /** `fresh`: some input that weight packs are built from changed since this instance last ran. */
  readonly run: InstanceRun
  readonly outputs: readonly CpuTensor[]
  /** Positions of the inputs packs are built from, and the tensor and version each had last run. */
  readonly packedInputs: readonly number[]
  readonly packedFrom: (CpuTensor | undefined)[]
  readonly packedVersions: number[]
}

const NO_OPTIONS: RunOptions = {}

/** Tensors bound to an executable's leaves, their arrays, the code for their sizes, the last result. */
interface Binding {
  readonly tensors: readonly DeviceTensor[]
  /** The generated function's arguments: `fresh`, then the input arrays. */
  readonly args: [boolean, ...Float32Array[]]
  readonly instance: Instance
  into?: Readonly<Record<string, DeviceTensor>>
  result: Record<string, DeviceTensor>
}

/** The compiled CPU backend: float32, generated JavaScript, preallocated buffers. */
export function cpuBackend(options: CpuBackendOptions = {}): Backend {
  const kernels = options.kernels ?? jsKernels
  const checkFinite = options.checkFinite ?? true
  const allocate = options.allocate ?? ((n: number): Float32Array => new Float32Array(n))
  const { wrapInstance } = options
  return {
    name: options.name ?? 'cpu',
    async compile(graph: Graph, compileOptions: CompileOptions = {}): Promise<Executable> {
      const plan = planProgram(runPasses(graph, { trace: compileOptions.trace }))
      compileOptions.trace?.('kernel plan', printPlan(plan))
      return new CpuExecutable(
        graph,
        plan,
        { kernels, checkFinite, allocate, wrapInstance },
        compileOptions.trace,
      )
    },
    upload: (host: HostTensor): DeviceTensor => CpuTensor.upload(host, allocate),
    dispose() {},
  }
}

class CpuExecutable implements Executable {
  private readonly instances = new Map<string, Instance>()
  private readonly leaves: Leaf[]
  private lastBinding: Binding | undefined
  private disposed = false

  constructor(
    readonly graph: Graph,
    private readonly plan: KernelPlan,
    private readonly settings: {
      readonly kernels: CpuKernels
      readonly checkFinite: boolean
      readonly allocate: (floats: number) => Float32Array
      readonly wrapInstance: ((run: InstanceRun) => InstanceRun) | undefined
    },
    private readonly trace?: (stage: string, text: string) => void,
  ) {
    this.leaves = leavesOf(plan.root.graph, new Set(plan.packs.map((p) => p.leaf)))
  }

  async run(inputs: Readonly<Record<string, DeviceTensor>>, options: RunOptions = NO_OPTIONS) {
    if (this.disposed) throw new InputError('this executable was disposed')
    const binding = this.bind(inputs)
    const { instance, args } = binding
    args[0] = packsOutdated(instance, binding.tensors as CpuTensor[])
    instance.run(args)
    // Outputs are rewritten in place: another executable may have packed one as a weight.
    for (const out of instance.outputs) out.version++
    const into = options.into
    const outputs = this.graph.outputs
    const result: Record<string, DeviceTensor> = binding.into === into ? binding.result : {}
    const { checkFinite, kernels } = this.settings
    for (let k = 0; k < outputs.length; k++) {
      const name = outputs[k]!.name
      const out = instance.outputs[k]!
      const target = into?.[name]
      deliver(name, out, target, checkFinite, kernels)
      result[name] = target ?? out
    }
    binding.into = into
    binding.result = result
    return result
  }

  /**
   * Checks the inputs and finds the code for their sizes. A training loop binds the same tensors
   * at every step: then the last binding is reused (its tensors are checked for disposal), so a
   * step allocates nothing here.
   */
  private bind(inputs: Readonly<Record<string, DeviceTensor>>): Binding {
    const last = this.lastBinding
    if (last && this.sameTensors(last, inputs)) return last
    const sizes = bindSizes(this.plan.root.graph, this.leaves, inputs)
    const tensors = this.leaves.map(({ name }) => inputs[name]!)
    const arrays = tensors.map((t, k) => {
      if (!(t instanceof CpuTensor))
        throw new InputError(`input '${this.leaves[k]!.name}' belongs to another backend`)
      return t.live()
    })
    const binding: Binding = { tensors, args: [true, ...arrays], instance: this.instance(sizes), result: {} }
    this.lastBinding = binding
    return binding
  }

  private sameTensors(last: Binding, inputs: Readonly<Record<string, DeviceTensor>>): boolean {
    let count = 0
    for (const _ in inputs) count++
    if (count !== this.leaves.length) return false
    for (let k = 0; k < this.leaves.length; k++) {
      const t = inputs[this.leaves[k]!.name]
      if (t !== last.tensors[k]) return false
      ;(t as CpuTensor).live() // fails, as on first binding, once the tensor is disposed
    }
    return true
  }

  private instance(sizes: RunSizes): Instance {
    const key = `${sizes.batch}x${sizes.steps}`
    const cached = this.instances.get(key)
    if (cached) return cached
    const code = generate(
      this.plan,
      this.leaves.map((l) => l.id),
      sizes,
      {
        packing: this.settings.kernels.packing !== undefined,
        wasmPointwise: this.settings.kernels.pointwise !== undefined,
        wholeScans: this.settings.kernels.pointwise?.scans,
      },
    )
    this.trace?.(`cpu code (batch ${sizes.batch}, steps ${sizes.steps})`, code.source)
    const buffers = code.bufferSizes.map((n) => this.settings.allocate(n))
    const factory = new Function('bufs', 'K', 'H', 'F', 'FR', 'SP', code.source) as (
      bufs: Float32Array[],
      k: CpuKernels,
      h: typeof helpers,
      f: readonly ((...args: number[]) => void)[],
      fr: readonly ((...args: number[]) => void)[],
      sp: GeneratedCode['wasmScans'],
    ) => (fresh: boolean, ...inputs: Float32Array[]) => void
    const { pointwise } = this.settings.kernels
    const fused = code.wasmKernels.map((exprs) => {
      if (!pointwise) throw new GraphError('generated code calls WebAssembly kernels these kernels lack')
      return pointwise.compile(exprs)
    })
    const types = this.plan.root.graph.outputs
    const outputs = code.outputs.map((o, k) => {
      const dims = outputDims(this.graph, k, sizes, o.size)
      if (types[k] === undefined) throw new GraphError(`output ${k} is missing`)
      return new CpuTensor(dims, buffers[o.buffer]!.subarray(0, o.size))
    })
    const generated = factory(
      buffers,
      this.settings.kernels,
      helpers,
      fused.map((k) => k.call),
      fused.map((k) => k.raw),
      code.wasmScans,
    )
    const run: InstanceRun = (args) => Reflect.apply(generated, undefined, args)
    const instance: Instance = {
      run: this.settings.wrapInstance?.(run) ?? run,
      outputs,
      packedInputs: code.packedInputs,
      packedFrom: code.packedInputs.map(() => undefined),
      packedVersions: code.packedInputs.map(() => -1),
    }
    this.instances.set(key, instance)
    return instance
  }

  dispose(): void {
    this.disposed = true
    this.instances.clear()
    this.lastBinding = undefined
  }
}

/** Whether an instance's weight packs are outdated (and records the tensors they are built from). */
function packsOutdated(instance: Instance, tensors: readonly CpuTensor[]): boolean {
  let outdated = false
  const { packedInputs, packedFrom, packedVersions } = instance
  for (let k = 0; k < packedInputs.length; k++) {
    const t = tensors[packedInputs[k]!]!
    if (packedFrom[k] !== t || packedVersions[k] !== t.version) {
      outdated = true
      packedFrom[k] = t
      packedVersions[k] = t.version
    }
  }
  return outdated
}

function outputDims(graph: Graph, k: number, { batch, steps }: RunSizes, size: number): number[] {
  const t = verify(graph).of(graph.outputs[k]!.ref)
  const dims =
    t.layout === 'tensor'
      ? [...t.shape]
      : t.layout === 'batch'
        ? [batch, t.shape[0]!]
        : [steps, batch, t.shape[0]!]
  if (dims.reduce((a, b) => a * b, 1) !== size)
    throw new GraphError(`output ${k}: size mismatch in generated code`)
  return dims
}
