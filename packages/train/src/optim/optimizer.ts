import type { Backend, DeviceTensor, Executable } from '@cellgraph/backends'
import { type OptimizerConfig, optimizerSlots, withDefaults } from './config.js'
import { optimizerGraph, type ParamShape } from './graph.js'

/** What one update reports, read back from the device in one read. */
export interface UpdateReport {
  /** The global gradient norm before clipping. */
  readonly gradNorm: number
  /** The `loss` given to `update`, read back with the norm; absent when none was given. */
  readonly loss?: number
}

/** The tensors an update was given (loss, then each parameter and its gradient) and the run's maps. */
interface Binding {
  readonly tensors: readonly (DeviceTensor | undefined)[]
  readonly inputs: Readonly<Record<string, DeviceTensor>>
  readonly into: Readonly<Record<string, DeviceTensor>>
}

/** The scalar inputs of the optimizer graph the host sets each step. */
type StepScalar = 'lr' | 'bias1' | 'bias2' | 'loss'

/**
 * An optimizer whose update runs as one compiled graph (`optimizerGraph`) on the backend that
 * holds the parameters: the global gradient norm, clipping and every parameter's update run `into`
 * the parameter and moment tensors in one execution, and the norm (with the step's loss, when
 * given) comes back in one read. Per step the host writes only the scalars that changed (the
 * learning rate, Adam's bias corrections).
 */
export class Optimizer {
  /** Steps taken so far (Adam's t before the next step). */
  step = 0
  readonly slots: Readonly<Record<string, Record<string, DeviceTensor>>>
  private readonly scalars: Record<StepScalar, DeviceTensor>
  /** The value each scalar tensor holds, so an unchanged one is not written again. */
  private readonly written = new Map<StepScalar, number>()
  private readonly constants: Record<string, DeviceTensor>
  private readonly report: DeviceTensor
  private binding: Binding | undefined

  private constructor(
    readonly config: OptimizerConfig,
    backend: Backend,
    private readonly executable: Executable,
    readonly params: readonly ParamShape[],
  ) {
    const upload = (dims: readonly number[], data: number[] | Float64Array) => backend.upload({ dims, data })
    const slots: Record<string, Record<string, DeviceTensor>> = {}
    for (const s of optimizerSlots(config))
      slots[s] = Object.fromEntries(
        params.map((p) => [p.name, upload(p.shape, new Float64Array(size(p.shape)))]),
      )
    this.slots = slots
    this.scalars = {
      lr: upload([], [0]),
      bias1: upload([], [0]),
      bias2: upload([], [0]),
      loss: upload([], [0]),
    }
    for (const name of Object.keys(this.scalars)) this.written.set(name as StepScalar, 0)
    this.constants = { 'report.first': upload([2], [1, 0]) }
    this.report = upload([2], [0, 0])
  }

  static async create(
    backend: Backend,
    config: OptimizerConfig,
    params: readonly ParamShape[],
    clipNorm?: number,
  ): Promise<Optimizer> {
    const executable = await backend.compile(optimizerGraph(config, params, clipNorm))
    return new Optimizer(config, backend, executable, params)
  }

  /**
   * Applies one update to `params` in place from `grads` at learning rate `lr`, in one run on the
   * backend. `loss`, a scalar on the same backend (a training run's output), comes back with the
   * gradient norm, so a training step reads the host one value pair. A step whose loss or gradient
   * norm is not finite changes nothing (parameters, moments, `step`) and reports that value; a
   * backend that refuses non-finite outputs (cpu) throws instead, naming `report`, also changing
   * nothing.
   */
  async update(
    params: Readonly<Record<string, DeviceTensor>>,
    grads: Readonly<Record<string, DeviceTensor>>,
    lr: number,
    loss: DeviceTensor,
  ): Promise<Required<UpdateReport>>
  async update(
    params: Readonly<Record<string, DeviceTensor>>,
    grads: Readonly<Record<string, DeviceTensor>>,
    lr: number,
  ): Promise<UpdateReport>
  async update(
    params: Readonly<Record<string, DeviceTensor>>,
    grads: Readonly<Record<string, DeviceTensor>>,
    lr: number,
    loss?: DeviceTensor,
  ): Promise<UpdateReport> {
    const { inputs, into } = this.bind(params, grads, loss)
    const t = this.step + 1
    const c = withDefaults(this.config)
    const beta1 = c.kind === 'sgd' ? 0 : c.beta1
    const beta2 = c.kind === 'sgd' ? 0 : c.beta2
    this.set('lr', lr)
    this.set('bias1', 1 - beta1 ** t)
    this.set('bias2', 1 - beta2 ** t)
    await this.executable.run(inputs, { into })
    const [lossValue, gradNorm] = await this.report.read()
    // The graph skipped a non-finite step on the device; t stays, as PyTorch's GradScaler skips.
    if (Number.isFinite(gradNorm) && (!loss || Number.isFinite(lossValue))) this.step = t
    return loss ? { gradNorm: gradNorm!, loss: lossValue! } : { gradNorm: gradNorm! }
  }

  /**
   * The run's inputs and `into` targets. A training loop passes the same tensors every step (its
   * parameters, its executable's reused gradient outputs): then the objects of the last step are
   * passed again, so the executable reuses its binding and result too.
   */
  private bind(
    params: Readonly<Record<string, DeviceTensor>>,
    grads: Readonly<Record<string, DeviceTensor>>,
    loss: DeviceTensor | undefined,
  ): Binding {
    const tensors: (DeviceTensor | undefined)[] = [loss]
    for (const p of this.params) {
      const param = params[p.name]
      const grad = grads[p.name]
      if (!param) throw new Error(`optimizer: parameter '${p.name}' is not bound`)
      if (!grad) throw new Error(`optimizer: no gradient for parameter '${p.name}'`)
      tensors.push(param, grad)
    }
    const last = this.binding
    if (last?.tensors.every((t, k) => t === tensors[k])) return last
    const inputs: Record<string, DeviceTensor> = { ...this.constants, ...this.scalars }
    if (loss) inputs.loss = loss
    const into: Record<string, DeviceTensor> = { report: this.report }
    for (const p of this.params) {
      inputs[`param.${p.name}`] = into[`param.${p.name}`] = params[p.name]!
      inputs[`grad.${p.name}`] = grads[p.name]!
      for (const [slot, bySlot] of Object.entries(this.slots))
        inputs[`${slot}.${p.name}`] = into[`${slot}.${p.name}`] = bySlot[p.name]!
    }
    this.binding = { tensors, inputs, into }
    return this.binding
  }

  /** Writes a scalar input unless it already holds `value`. */
  private set(name: StepScalar, value: number): void {
    if (this.written.get(name) === value) return
    this.scalars[name].write([value])
    this.written.set(name, value)
  }

  dispose(): void {
    this.executable.dispose()
    const owned = [this.report, ...Object.values(this.scalars), ...Object.values(this.constants)]
    for (const tensors of Object.values(this.slots)) owned.push(...Object.values(tensors))
    for (const t of owned) t.dispose()
  }
}

const size = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1)
