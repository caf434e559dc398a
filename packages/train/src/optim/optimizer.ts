import type { Backend, DeviceTensor, Executable } from '@cellgraph/backends'
import { type OptimizerConfig, optimizerSlots, withDefaults } from './config.js'
import { optimizerGraph, type ParamShape } from './graph.js'

/**
 * An optimizer whose update runs as one compiled graph on the backend that holds the parameters:
 * parameters and moments are updated in place (run `into` the bound tensors).
 */
export class Optimizer {
  /** Steps taken so far (Adam's t before the next step). */
  step = 0
  readonly slots: Readonly<Record<string, Record<string, DeviceTensor>>>

  private constructor(
    readonly config: OptimizerConfig,
    private readonly backend: Backend,
    private readonly executable: Executable,
    readonly params: readonly ParamShape[],
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
    return new Optimizer(
      config,
      backend,
      await backend.compile(optimizerGraph(config, params, clipNorm)),
      params,
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
    this.step++
    const c = withDefaults(this.config)
    const beta1 = c.kind === 'sgd' ? 0 : c.beta1
    const beta2 = c.kind === 'sgd' ? 0 : c.beta2
    const scalars = {
      lr: this.scalar(lr),
      bias1: this.scalar(1 - beta1 ** this.step),
      bias2: this.scalar(1 - beta2 ** this.step),
    }
    const inputs: Record<string, DeviceTensor> = { ...scalars }
    const into: Record<string, DeviceTensor> = {}
    for (const p of this.params) {
      const param = params[p.name]
      const grad = grads[p.name]
      if (!param) throw new Error(`optimizer: parameter '${p.name}' is not bound`)
      if (!grad) throw new Error(`optimizer: no gradient for parameter '${p.name}'`)
      inputs[`param.${p.name}`] = into[`param.${p.name}`] = param
      inputs[`grad.${p.name}`] = grad
      for (const [slot, tensors] of Object.entries(this.slots))
        inputs[`${slot}.${p.name}`] = into[`${slot}.${p.name}`] = tensors[p.name]!
    }
    const out = await this.executable.run(inputs, { into })
    const norm = (await out.grad_norm!.read())[0]!
    for (const s of Object.values(scalars)) s.dispose()
    return norm
  }

  private scalar(value: number): DeviceTensor {
    return this.backend.upload({ dims: [], data: [value] })
  }

  dispose(): void {
    this.executable.dispose()
    for (const tensors of Object.values(this.slots)) for (const t of Object.values(tensors)) t.dispose()
  }
}

const size = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1)
