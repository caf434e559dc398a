import { type Graph, GraphError, InputError, verify } from '@cellgraph/graph'
import type { Backend, CompileOptions, DeviceTensor, Executable, HostTensor, RunOptions } from '../backend.js'
import { runPasses } from '../passes/pipeline.js'
import type { Program } from '../passes/program.js'
import { bindSizes, type Leaf, leavesOf } from './bind.js'
import { generate, type RunSizes } from './codegen.js'
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
}

/** Code and buffers for one batch size and sequence length, built on first use and then reused. */
interface Instance {
  readonly run: (...inputs: Float32Array[]) => void
  readonly outputs: readonly CpuTensor[]
}

/** The compiled CPU backend: float32, generated JavaScript, preallocated buffers. */
export function cpuBackend(options: CpuBackendOptions = {}): Backend {
  const kernels = options.kernels ?? jsKernels
  const checkFinite = options.checkFinite ?? true
  const allocate = options.allocate ?? ((n: number): Float32Array => new Float32Array(n))
  return {
    name: options.name ?? 'cpu',
    async compile(graph: Graph, compileOptions: CompileOptions = {}): Promise<Executable> {
      const program = runPasses(graph, { trace: compileOptions.trace })
      return new CpuExecutable(graph, program, { kernels, checkFinite, allocate }, compileOptions.trace)
    },
    upload: (host: HostTensor): DeviceTensor => CpuTensor.upload(host, allocate),
    dispose() {},
  }
}

class CpuExecutable implements Executable {
  private readonly instances = new Map<string, Instance>()
  private readonly leaves: Leaf[]
  private disposed = false

  constructor(
    readonly graph: Graph,
    private readonly program: Program,
    private readonly settings: {
      readonly kernels: CpuKernels
      readonly checkFinite: boolean
      readonly allocate: (floats: number) => Float32Array
    },
    private readonly trace?: (stage: string, text: string) => void,
  ) {
    this.leaves = leavesOf(program.graph, new Set(program.packs.map((p) => p.leaf)))
  }

  async run(inputs: Readonly<Record<string, DeviceTensor>>, options: RunOptions = {}) {
    if (this.disposed) throw new InputError('this executable was disposed')
    const sizes = bindSizes(this.program.graph, this.leaves, inputs)
    const instance = this.instance(sizes)
    const arrays = this.leaves.map(({ name }) => {
      const t = inputs[name]
      if (!(t instanceof CpuTensor)) throw new InputError(`input '${name}' belongs to another backend`)
      return t.live()
    })
    instance.run(...arrays)
    const result: Record<string, DeviceTensor> = {}
    this.graph.outputs.forEach((o, k) => {
      const out = instance.outputs[k]!
      if (this.settings.checkFinite) assertFinite(o.name, out.data)
      const target = options.into?.[o.name]
      if (target) target.write(out.data)
      result[o.name] = target ?? out
    })
    return result
  }

  private instance(sizes: RunSizes): Instance {
    const key = `${sizes.batch}x${sizes.steps}`
    const cached = this.instances.get(key)
    if (cached) return cached
    const code = generate(
      this.program,
      this.leaves.map((l) => l.id),
      sizes,
      {
        packing: this.settings.kernels.packing !== undefined,
        wasmPointwise: this.settings.kernels.pointwise !== undefined,
      },
    )
    this.trace?.(`cpu code (batch ${sizes.batch}, steps ${sizes.steps})`, code.source)
    const buffers = code.bufferSizes.map((n) => this.settings.allocate(n))
    const factory = new Function('bufs', 'K', 'H', 'F', code.source) as (
      bufs: Float32Array[],
      k: CpuKernels,
      h: typeof helpers,
      f: readonly ((...args: number[]) => void)[],
    ) => Instance['run']
    const { pointwise } = this.settings.kernels
    const fused = code.wasmKernels.map((exprs) => {
      if (!pointwise) throw new GraphError('generated code calls WebAssembly kernels these kernels lack')
      return pointwise.compile(exprs)
    })
    const types = this.program.graph.outputs
    const outputs = code.outputs.map((o, k) => {
      const dims = outputDims(this.graph, k, sizes, o.size)
      if (types[k] === undefined) throw new GraphError(`output ${k} is missing`)
      return new CpuTensor(dims, buffers[o.buffer]!.subarray(0, o.size))
    })
    const instance = { run: factory(buffers, this.settings.kernels, helpers, fused), outputs }
    this.instances.set(key, instance)
    return instance
  }

  dispose(): void {
    this.disposed = true
    this.instances.clear()
  }
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

function assertFinite(name: string, data: Float32Array) {
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]!))
      throw new GraphError(`output '${name}' holds ${data[i]} at element ${i} (cpu backend)`)
}
