import type { OptimizerConfig } from '../optim/config.js'
import { checkSchedule, learningRate, type Schedule } from '../optim/schedule.js'
import { makeBatch, type Sequence } from './batch.js'
import type { ModelCore } from './core.js'
import type { Metrics } from './model.js'

export interface FitOptions {
  /** Passes over the data. Default 10, unless `steps` is given. */
  readonly epochs?: number
  /** Optimizer steps in all (the last epoch may stop partway). */
  readonly steps?: number
  /** Sequences per step. Default 32. */
  readonly batchSize?: number
  /** Default Adam with PyTorch's settings. */
  readonly optimizer?: OptimizerConfig
  /** Base learning rate. Default 0.01. */
  readonly lr?: number
  /** Default constant. */
  readonly schedule?: Schedule
  /** Clip gradients to this global norm. Default 0: off. */
  readonly clip?: number
  /** Shuffle the sequences every epoch (seeded by the model's seed). Default true. */
  readonly shuffle?: boolean
  /** Sequences to evaluate after every epoch. */
  readonly validation?: readonly Sequence[]
  readonly onStep?: (report: StepInfo) => void | Promise<void>
  readonly onEpoch?: (report: EpochInfo) => void | Promise<void>
  /** Stops training between steps; `fit` then resolves with `stopped: true`. */
  readonly signal?: AbortSignal
}

export interface StepInfo {
  readonly step: number
  readonly epoch: number
  readonly loss: number
  readonly gradNorm: number
  readonly lr: number
}

export interface EpochInfo {
  readonly epoch: number
  readonly step: number
  /** Mean training loss over the epoch's steps. */
  readonly loss: number
  readonly validation?: Metrics
}

export interface FitHistory {
  readonly epochs: readonly EpochInfo[]
  readonly steps: number
  /** True when `signal` stopped training early. */
  readonly stopped: boolean
}

export class FitError extends Error {
  override name = 'FitError'
}

function checkOptions(o: FitOptions, count: number) {
  if (count === 0) throw new FitError('fit needs at least one sequence')
  for (const key of ['epochs', 'steps', 'batchSize'] as const)
    if (o[key] !== undefined && !(Number.isInteger(o[key]) && o[key]! >= 1))
      throw new FitError(`${key} must be a positive integer, got ${o[key]}`)
  if (o.lr !== undefined && !(o.lr > 0)) throw new FitError(`lr must be a positive number, got ${o.lr}`)
  if (o.clip !== undefined && !(o.clip >= 0)) throw new FitError(`clip must be >= 0, got ${o.clip}`)
  if (o.schedule !== undefined) checkSchedule(o.schedule, 'schedule')
}

/**
 * The training loop: per step a padded batch runs forward and backward (BPTT through the masked
 * scans) and the optimizer updates the parameters on the backend.
 */
export async function fitModel(
  core: ModelCore,
  data: readonly Sequence[],
  options: FitOptions,
  evaluate: (data: readonly Sequence[]) => Promise<Metrics>,
): Promise<FitHistory> {
  checkOptions(options, data.length)
  const batchSize = Math.min(options.batchSize ?? 32, data.length)
  const perEpoch = Math.ceil(data.length / batchSize)
  const total = options.steps ?? (options.epochs ?? 10) * perEpoch
  const lr = options.lr ?? 0.01
  const schedule = options.schedule ?? { kind: 'constant' }
  const clip = options.clip ?? 0
  const executable = await core.trainingGraph()
  // Kept with the model: a second call continues the moments and step count, as in PyTorch/Keras.
  const optimizer = await core.optimizerFor(options.optimizer ?? { kind: 'adam' }, clip)
  const epochs: EpochInfo[] = []
  let step = 0
  for (let epoch = 1; step < total; epoch++) {
    const order = [...data.keys()]
    if (options.shuffle ?? true) shuffle(order, () => core.rng.next())
    let sum = 0
    let n = 0
    for (let i = 0; i < order.length && step < total; i += batchSize) {
      if (options.signal?.aborted) return { epochs, steps: step, stopped: true }
      const rows = order.slice(i, i + batchSize)
      const host = makeBatch(
        core.spec,
        rows.map((k) => data[k]!),
        true,
      )
      const { inputs, release } = core.bind(host, { dropout: true })
      try {
        const out = await executable.run(inputs)
        const rate = learningRate(lr, schedule, step, total)
        // the loss comes back with the gradient norm after the update: one read per step; the
        // optimizer graph skipped a non-finite step on the device, so the model is still finite
        const { loss, gradNorm } = await optimizer.update(core.params, core.gradients(out), rate, out.loss!)
        const kept = `step ${step + 1} was skipped: the model keeps the parameters of step ${step}`
        if (!Number.isFinite(loss))
          throw new FitError(`the loss became ${loss}; ${kept}; try a smaller lr or clip`)
        if (!Number.isFinite(gradNorm)) throw new FitError(`the gradient norm became ${gradNorm}; ${kept}`)
        step++
        sum += loss
        n++
        await options.onStep?.({ step, epoch, loss, gradNorm, lr: rate })
      } finally {
        release()
      }
    }
    const validation = options.validation ? await evaluate(options.validation) : undefined
    const report: EpochInfo = validation
      ? { epoch, step, loss: sum / n, validation }
      : { epoch, step, loss: sum / n }
    epochs.push(report)
    await options.onEpoch?.(report)
  }
  return { epochs, steps: step, stopped: false }
}

/** Fisher–Yates with the model's seeded generator. */
function shuffle(order: number[], next: () => number) {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
}
