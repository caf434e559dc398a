import { grad, gradName } from '@cellgraph/autodiff'
import {
  type Backend,
  type BackendName,
  type DeviceTensor,
  type Executable,
  sharedBackend,
} from '@cellgraph/backends'
import { outputSize, Rng } from '@cellgraph/graph'
import { dropoutMask } from '../model/dropout.js'
import { modelParams } from '../model/graph.js'
import { initParams } from '../model/init.js'
import type { OptimizerConfig } from '../optim/config.js'
import { withDefaults } from '../optim/config.js'
import { Optimizer } from '../optim/optimizer.js'
import type { HostBatch } from './batch.js'
import { recurrentGraph } from './graph.js'
import { directionCount, type ModelSpec } from './options.js'

/** What every model operation shares: the backend, the parameters on it, the compiled graphs. */
export class ModelCore {
  private training: Executable | undefined
  private evaluation: Executable | undefined
  /** The optimizer `fit` keeps between calls, with the settings it was made for. */
  private kept: { settings: string; clip: number; optimizer: Optimizer } | undefined
  /**
   * Zero initial states and `select0` of the last batch size bound, by dims: inputs that no run
   * writes, so they are uploaded once per batch size instead of at every step.
   */
  private readonly zeros = { batch: 0, byDims: new Map<string, DeviceTensor>() }

  private constructor(
    readonly backend: Backend,
    readonly spec: ModelSpec,
    readonly params: Record<string, DeviceTensor>,
    readonly paramShapes: readonly { name: string; shape: readonly number[] }[],
    readonly forward: Executable,
    readonly rng: Rng,
  ) {}

  static async create(
    spec: ModelSpec,
    choice: BackendName | Backend | undefined,
    seed: number,
  ): Promise<ModelCore> {
    const backend = typeof choice === 'object' ? choice : await sharedBackend(choice ?? defaultBackend())
    const graph = recurrentGraph(spec)
    const shapes = modelParams(graph)
    const rng = new Rng(seed)
    // PyTorch's defaults: U(±1/√H) for the cells and the head, N(0, 1) for an embedding.
    const values = initParams(spec, shapes, rng)
    const params = Object.fromEntries(
      shapes.map((p) => [p.name, backend.upload({ dims: p.shape, data: values[p.name]! })]),
    )
    return new ModelCore(backend, spec, params, shapes, await backend.compile(graph), rng)
  }

  /** The forward pass with its loss and every parameter's gradient (BPTT), compiled on first use. */
  async trainingGraph(): Promise<Executable> {
    this.training ??= await this.backend.compile(
      grad(recurrentGraph(this.spec, { loss: true, dropout: this.spec.dropout > 0 }), {
        loss: 'loss',
        wrt: this.paramShapes.map((p) => p.name),
      }),
    )
    return this.training
  }

  async evaluationGraph(): Promise<Executable> {
    this.evaluation ??= await this.backend.compile(recurrentGraph(this.spec, { loss: true }))
    return this.evaluation
  }

  /**
   * The optimizer for these settings: the one kept from the last `fit` (its moments and step
   * count) while `config` (defaults filled in) and `clip` are the same, else a fresh one.
   */
  async optimizerFor(config: OptimizerConfig, clip: number): Promise<Optimizer> {
    const settings = JSON.stringify({ optimizer: withDefaults(config), clip })
    if (this.kept?.settings === settings) return this.kept.optimizer
    this.resetOptimizer()
    const optimizer = await Optimizer.create(
      this.backend,
      config,
      this.paramShapes,
      clip > 0 ? clip : undefined,
    )
    this.kept = { settings, clip, optimizer }
    return optimizer
  }

  /** The kept optimizer and its settings, if `fit` has made one. */
  get optimizer(): { optimizer: Optimizer; clip: number } | undefined {
    return this.kept && { optimizer: this.kept.optimizer, clip: this.kept.clip }
  }

  /** Drops the kept optimizer: the next `fit` starts fresh moments. */
  resetOptimizer(): void {
    this.kept?.optimizer.dispose()
    this.kept = undefined
  }

  /** Uploads a batch as the graphs' inputs (zero initial states unless `states` are given). */
  bind(batch: HostBatch, options: { states?: Record<string, DeviceTensor>; dropout?: boolean } = {}) {
    const { spec, backend } = this
    const { steps: T, batch: B } = batch
    const D = directionCount(spec)
    const owned: DeviceTensor[] = []
    const up = (dims: number[], data: Float64Array) => {
      const t = backend.upload({ dims, data })
      owned.push(t)
      return t
    }
    const inputs: Record<string, DeviceTensor> = {
      x: up([T, B, spec.inputWidth], batch.x),
      mask: up([T, B, 1], batch.mask),
    }
    if (spec.at === 'last') {
      inputs.last = up([T, B, 1], batch.last)
      const width = D * outputSize(spec.cells.at(-1)!)
      inputs.select0 = this.zerosOf(B, [B, width])
    }
    const prefixes = D === 2 ? ['', 'reverse.'] : ['']
    spec.cells.forEach((cell, l) => {
      for (const s of cell.state)
        for (const p of prefixes) {
          const given = options.states?.[`l${l}.${p}${s}`]
          inputs[`l${l}.${p}${s}0`] = given ?? this.zerosOf(B, [B, cell.sizes.hidden])
        }
    })
    if (batch.targets) {
      const width = spec.task === 'regression' ? spec.outputs : 1
      inputs.targets = up(spec.at === 'each' ? [T, B, width] : [B, width], batch.targets)
    }
    if (options.dropout && spec.dropout > 0)
      spec.cells.slice(0, -1).forEach((cell, l) => {
        const width = D * outputSize(cell)
        inputs[`dropout${l}`] = up([T, B, width], dropoutMask(this.rng, spec.dropout, T * B * width))
      })
    return { inputs: { ...inputs, ...this.params }, release: () => owned.forEach((t) => t.dispose()) }
  }

  /** A zero tensor of `dims` for batch size `batch`; the zeros of another batch size are released. */
  private zerosOf(batch: number, dims: number[]): DeviceTensor {
    if (this.zeros.batch !== batch) {
      this.releaseZeros()
      this.zeros.batch = batch
    }
    const key = dims.join('x')
    let t = this.zeros.byDims.get(key)
    if (!t) {
      t = this.backend.upload({ dims, data: new Float64Array(dims.reduce((n, d) => n * d, 1)) })
      this.zeros.byDims.set(key, t)
    }
    return t
  }

  private releaseZeros(): void {
    for (const t of this.zeros.byDims.values()) t.dispose()
    this.zeros.byDims.clear()
  }

  /** The gradient outputs of a training run, by parameter name. */
  gradients(out: Record<string, DeviceTensor>): Record<string, DeviceTensor> {
    return Object.fromEntries(this.paramShapes.map((p) => [p.name, out[gradName(p.name)]!]))
  }

  dispose(): void {
    this.resetOptimizer()
    this.releaseZeros()
    this.forward.dispose()
    this.training?.dispose()
    this.evaluation?.dispose()
    for (const t of Object.values(this.params)) t.dispose()
  }
}

/** 'cpu' (WebAssembly on two threads) needs SharedArrayBuffer; pages without it get 'cpu-js'. */
const defaultBackend = (): BackendName => (typeof SharedArrayBuffer === 'undefined' ? 'cpu-js' : 'cpu')
