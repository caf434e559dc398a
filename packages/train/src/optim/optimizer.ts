import type { Backend, DeviceTensor, Executable } from '@cellgraph/backends'
import { type OptimizerConfig, optimizerSlots, withDefaults } from './config.js'
import { gradNormGraph, type ParamShape, updateGraph } from './graph.js'

/**
 * An optimizer whose update runs as compiled graphs on the backend that holds the parameters: one
 * graph computes the global gradient norm, one graph per parameter shape updates a parameter and
 * its moments in place (run `into` the bound tensors). Nothing but the norm comes back to the host.
 */
export class Optimizer {
  /** Steps taken so far (Adam's t before the next step). */
  step = 0
  readonly slots: Readonly<Record<string, Record<string, DeviceTensor>>>

  private constructor(
    readonly config: OptimizerConfig,
    private readonly backend: Backend,
    private readonly norm: Executable,
    private readonly updates: ReadonlyMap<string, Executable>,
    readonly params: readonly ParamShape[],
    private readonly clips: boolean,
  ) {
    const slots: Record<string, Record<string, DeviceTensor>> = {}
    for (const s of optimizerSlots(config))
      slots[s] = Object.fromEntries(
        params.map((p) => [p.name, backend.upload({ dims: p.shape, data: new Float64Array(size(p.shape)) })]),
      )
    this.slots = slots
  }

  static async create(
    backend: Backend,
    config: OptimizerConfig,
    params: readonly ParamShape[],
    clipNorm?: number,
  ): Promise<Optimizer> {
    const updates = new Map<string, Executable>()
    for (const p of params) {
      const key = p.shape.join('x')
      if (!updates.has(key)) updates.set(key, await backend.compile(updateGraph(config, p.shape, clipNorm)))
    }
    return new Optimizer(
      config,
      backend,
      await backend.compile(gradNormGraph(params)),
      updates,
      params,
      clipNorm !== undefined,
    )
  }

  /**
   * Applies one update to `params` in place from `grads` at learning rate `lr`; returns the global
   * gradient norm before clipping.
   */
  async update(
    params: Readonly<Record<string, DeviceTensor>>,
    grads: Readonly<Record<string, DeviceTensor>>,
    lr: number,
  ): Promise<number> {
    for (const p of this.params) {
      if (!params[p.name]) throw new Error(`optimizer: parameter '${p.name}' is not bound`)
      if (!grads[p.name]) throw new Error(`optimizer: no gradient for parameter '${p.name}'`)
    }
    this.step++
    const c = withDefaults(this.config)
    const beta1 = c.kind === 'sgd' ? 0 : c.beta1
    const beta2 = c.kind === 'sgd' ? 0 : c.beta2
    const norm = (
      await this.norm.run(Object.fromEntries(this.params.map((p) => [`grad.${p.name}`, grads[p.name]!])))
    ).grad_norm!
    // The norm tensor is owned by the norm executable; copy it so the updates can read it.
    const normValue = (await norm.read())[0]!
    const scalars = {
      lr: this.scalar(lr),
      bias1: this.scalar(1 - beta1 ** this.step),
      bias2: this.scalar(1 - beta2 ** this.step),
      ...(this.clips ? { grad_norm: this.scalar(normValue) } : {}),
    }
    for (const p of this.params) {
      const inputs: Record<string, DeviceTensor> = {
        ...scalars,
        param: params[p.name]!,
        grad: grads[p.name]!,
      }
      const into: Record<string, DeviceTensor> = { param: params[p.name]! }
      for (const [slot, tensors] of Object.entries(this.slots)) inputs[slot] = into[slot] = tensors[p.name]!
      await this.updates.get(p.shape.join('x'))!.run(inputs, { into })
    }
    for (const s of Object.values(scalars)) s.dispose()
    return normValue
  }

  private scalar(value: number): DeviceTensor {
    return this.backend.upload({ dims: [], data: [value] })
  }

  dispose(): void {
    this.norm.dispose()
    for (const e of this.updates.values()) e.dispose()
    for (const tensors of Object.values(this.slots)) for (const t of Object.values(tensors)) t.dispose()
  }
}

const size = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1)
