import { gradName, initialStates, type StatePair, truncatedWindow } from '@cellgraph/autodiff'
import type { Backend, DeviceTensor, Executable } from '@cellgraph/backends'
import { outputSize, Rng, type Tensor, tensor } from '@cellgraph/graph'
import type { Checkpoint } from '../checkpoint.js'
import { oneHot, StreamBatcher } from '../data/batches.js'
import type { Vocabulary } from '../data/vocabulary.js'
import type { ModelConfig } from '../model/config.js'
import { dropoutMask } from '../model/dropout.js'
import { modelGraph, modelParams } from '../model/graph.js'
import { initParams } from '../model/init.js'
import type { OptimizerConfig } from '../optim/config.js'
import { Optimizer, type UpdateReport } from '../optim/optimizer.js'
import { checkSchedule, learningRate, type Schedule } from '../optim/schedule.js'
import { readAll, uploadAll, zeroStates } from './session.js'

/** Training hyperparameters; stored in checkpoints so `--resume` continues with the same ones. */
export interface TrainConfig {
  /** Parallel lanes of the stream per step. */
  readonly batch: number
  /** Window length: gradients flow back this many steps (truncated BPTT); state carries on. */
  readonly window: number
  /** Total optimizer steps of the run. */
  readonly steps: number
  readonly lr: number
  readonly schedule: Schedule
  readonly optimizer: OptimizerConfig
  /** Clip gradients to this global norm; 0 turns clipping off. */
  readonly clip: number
  readonly seed: number
}

export interface StepReport {
  readonly step: number
  /** Mean cross-entropy of this window, nats per character. */
  readonly loss: number
  readonly gradNorm: number
  readonly lr: number
  readonly tokens: number
}

export class TrainingError extends Error {
  override name = 'TrainingError'
}

/**
 * Trains a model on a token stream with truncated BPTT: each step runs autodiff's truncated
 * window (`truncatedWindow`: forward and backward over one window of every lane), carries its
 * final states into the next window's initial states (`initialStates`), and applies the
 * optimizer on the backend. Dropout masks come from the trainer's seeded generator, whose state
 * is checkpointed with everything else, so a resumed run continues exactly.
 */
export class Trainer {
  /** Steps completed. */
  step = 0
  private readonly batcher: StreamBatcher
  private readonly x: DeviceTensor
  private readonly targets: DeviceTensor
  private readonly mask: DeviceTensor
  private readonly dropout: Record<string, DeviceTensor> = {}
  private readonly hot: Float64Array

  private constructor(
    readonly backend: Backend,
    readonly model: ModelConfig,
    readonly vocabulary: Vocabulary,
    readonly config: TrainConfig,
    private readonly executable: Executable,
    private readonly params: Record<string, DeviceTensor>,
    private readonly carried: Record<string, DeviceTensor>,
    private readonly states: readonly StatePair[],
    readonly optimizer: Optimizer,
    private readonly rng: Rng,
    stream: Int32Array,
  ) {
    this.batcher = new StreamBatcher(stream, config.batch, config.window)
    const rows = config.window * config.batch
    const V = model.vocabularySize
    this.hot = new Float64Array(rows * V)
    this.x = backend.upload({ dims: [config.window, config.batch, V], data: this.hot })
    this.targets = backend.upload({ dims: [config.window, config.batch, 1], data: new Float64Array(rows) })
    this.mask = backend.upload({
      dims: [config.window, config.batch, 1],
      data: new Float64Array(rows).fill(1),
    })
    if (model.dropout > 0)
      model.cells.slice(0, -1).forEach((cell, l) => {
        const width = outputSize(cell)
        this.dropout[`dropout${l}`] = backend.upload({
          dims: [config.window, config.batch, width],
          data: new Float64Array(rows * width),
        })
      })
  }

  /**
   * A trainer for `model` on `stream`: fresh seeded parameters, or everything from `resume`
   * (parameters, optimizer moments, carried state, step and generator state).
   */
  static async create(
    backend: Backend,
    model: ModelConfig,
    vocabulary: Vocabulary,
    stream: Int32Array,
    config: TrainConfig,
    resume?: Checkpoint,
  ): Promise<Trainer> {
    checkSchedule(config.schedule, 'config.schedule')
    const graph = modelGraph(model, { loss: true, dropout: model.dropout > 0 })
    const specs = modelParams(graph)
    const window = truncatedWindow(graph, { loss: 'loss', wrt: specs.map((p) => p.name) })
    const executable = await backend.compile(window.graph)
    const rng = new Rng(config.seed)
    const hostParams: Record<string, Tensor> =
      resume?.params ??
      Object.fromEntries(
        Object.entries(initParams(model, specs, rng)).map(([n, d]) => [
          n,
          tensor(specs.find((p) => p.name === n)!.shape, d),
        ]),
      )
    const optimizer = await Optimizer.create(
      backend,
      config.optimizer,
      specs,
      config.clip > 0 ? config.clip : undefined,
    )
    const carried = zeroStates(backend, model, config.batch)
    const trainer = new Trainer(
      backend,
      model,
      vocabulary,
      config,
      executable,
      uploadAll(backend, hostParams),
      carried,
      window.states,
      optimizer,
      rng,
      stream,
    )
    if (resume) trainer.restore(resume)
    return trainer
  }

  private restore(c: Checkpoint): void {
    const t = c.training as { step?: number; rng?: number; optimizerStep?: number }
    this.step = t.step ?? 0
    this.rng.state = t.rng ?? this.rng.state
    this.optimizer.step = t.optimizerStep ?? this.step
    for (const [slot, byParam] of Object.entries(this.optimizer.slots))
      for (const [name, target] of Object.entries(byParam)) {
        const saved = c.optimizer[slot]?.[name]
        if (!saved) throw new TrainingError(`the checkpoint has no optimizer state '${slot}' for '${name}'`)
        target.write(saved.data)
      }
    for (const [name, target] of Object.entries(this.carried)) {
      const saved = Object.hasOwn(c.carried, name) ? c.carried[name] : undefined
      if (!saved) continue
      // Zeros in place of a state of another size would make the resumed run quietly inexact.
      if (saved.dims.join() !== target.dims.join())
        throw new TrainingError(
          `the checkpoint's carried state '${name}' is [${saved.dims}], this run needs [${target.dims}] (batch ${this.config.batch}); resume with the batch size it was saved with`,
        )
      target.write(saved.data)
    }
  }

  /** One optimizer step on the next window. */
  async trainStep(): Promise<StepReport> {
    const { config, model } = this
    const window = this.batcher.window(this.step)
    if (window.fresh) this.zeroCarried()
    oneHot(window.inputs, model.vocabularySize, this.hot)
    this.x.write(this.hot)
    this.targets.write(Float64Array.from(window.targets))
    for (const t of Object.values(this.dropout))
      t.write(
        dropoutMask(
          this.rng,
          model.dropout,
          t.dims.reduce((n, d) => n * d, 1),
        ),
      )
    let out: Record<string, DeviceTensor>
    try {
      // The final states are written over the initial ones they came from (a run reads every
      // input before it writes an `into` target), so the carried state never leaves the device.
      out = await this.executable.run(
        {
          x: this.x,
          targets: this.targets,
          mask: this.mask,
          ...this.dropout,
          ...initialStates(this.states, this.carried),
          ...this.params,
        },
        { into: this.carried },
      )
    } catch (e) {
      this.zeroCarried()
      throw new TrainingError(`step ${this.step + 1}: ${(e as Error).message}`)
    }
    const grads = Object.fromEntries(Object.keys(this.params).map((n) => [n, out[gradName(n)]!]))
    const lr = learningRate(config.lr, config.schedule, this.step, config.steps)
    // The update runs before anything is read: the loss comes back with the gradient norm, one
    // read per step. The optimizer graph skips a non-finite step on the device, so a step that
    // fails below leaves the parameters and moments as they were (the carried states are not).
    let report: Required<UpdateReport>
    try {
      report = await this.optimizer.update(this.params, grads, lr, out.loss!)
    } catch (e) {
      this.zeroCarried()
      throw new TrainingError(`step ${this.step + 1}, optimizer update: ${(e as Error).message}`)
    }
    const { loss, gradNorm } = report
    if (!(Number.isFinite(loss) && Number.isFinite(gradNorm))) {
      // The training run wrote its (non-finite) final states over the carried ones.
      this.zeroCarried()
      const kept = `step ${this.step + 1} was skipped: the parameters and optimizer state are those of step ${this.step}, the carried states restart from zeros`
      throw new TrainingError(
        Number.isFinite(loss)
          ? `the gradient norm became ${gradNorm}; ${kept}`
          : `the loss became ${loss}; ${kept}; try a smaller learning rate or clipping`,
      )
    }
    this.step++
    return { step: this.step, loss, gradNorm, lr, tokens: window.steps * window.batch }
  }

  /** Zero initial states for the next window: at a fresh window, and after a failed step. */
  private zeroCarried(): void {
    for (const t of Object.values(this.carried)) t.write(new Float64Array(t.dims.reduce((n, d) => n * d, 1)))
  }

  /** The current parameters, read back to the host. */
  parameters(): Promise<Record<string, Tensor>> {
    return readAll(this.params)
  }

  /** Everything needed to continue this run exactly. */
  async checkpoint(): Promise<Checkpoint> {
    const optimizer: Record<string, Record<string, Tensor>> = {}
    for (const [slot, byParam] of Object.entries(this.optimizer.slots))
      optimizer[slot] = await readAll(byParam)
    return {
      model: this.model,
      vocabulary: this.vocabulary,
      params: await this.parameters(),
      optimizer,
      carried: await readAll(this.carried),
      training: {
        config: this.config,
        step: this.step,
        rng: this.rng.state,
        optimizerStep: this.optimizer.step,
      },
      dtype: this.backend.name === 'reference' ? 'F64' : 'F32',
    }
  }

  dispose(): void {
    this.executable.dispose()
    this.optimizer.dispose()
  }
}
