import type { DeviceTensor } from '@cellgraph/backends'
import { documentLimits, type Tensor } from '@cellgraph/graph'
import { toStoredNames } from '../model/names.js'
import { readAll, zeroStates } from '../run/session.js'
import { type HostBatch, makeBatch, type Sequence } from './batch.js'
import { ModelCore } from './core.js'
import { type SaveOptions, saveModel } from './file.js'
import { type FitHistory, type FitOptions, fitModel } from './fit.js'
import { headOutput } from './graph.js'
import { ModelOptionsError, type ModelSpec, type RecurrentModelOptions, resolveSpec } from './options.js'
import { oversizedParameter } from './parameterSizes.js'
import { loadStateInto } from './stateDict.js'

/** Loss and, for classification and next-token models, the fraction of targets predicted right. */
export interface Metrics {
  readonly loss: number
  readonly accuracy?: number
}

/**
 * A recurrent model around any cell, for any sequence task:
 *
 *     const model = await recurrentModel({ cell: myCell, inputSize: 2, hidden: 16, task: 'regression' })
 *     await model.fit(data, { epochs: 20, lr: 0.01 })
 *     const [y] = await model.predict([{ x: [[0.5, 1], [0.2, 0]] }])
 */
export async function recurrentModel(options: RecurrentModelOptions): Promise<RecurrentModel> {
  const spec = resolveSpec(options)
  const big = oversizedParameter(spec)
  if (big)
    throw new ModelOptionsError(
      `parameter '${big.name}' would hold ${big.values} values; the limit is ${documentLimits.valueElements} (a smaller hidden, embedding or outputs)`,
    )
  return new RecurrentModel(await ModelCore.create(spec, options.backend, options.seed ?? 0))
}

export class RecurrentModel {
  private carried: Record<string, DeviceTensor> | undefined

  /**
   * Use `recurrentModel(options)` or `loadModel(bytes)`.
   * @internal `core` is shared with the model file's writer and reader.
   */
  constructor(readonly core: ModelCore) {}

  get spec(): ModelSpec {
    return this.core.spec
  }

  get backend() {
    return this.core.backend
  }

  /**
   * Trains on `data` (see `FitOptions` for the defaults); resolves with the per-epoch history.
   * The optimizer's state stays with the model, so a second call continues where the first
   * stopped; a call with another `optimizer` or `clip`, or `resetOptimizer()`, starts afresh.
   */
  fit(data: readonly Sequence[], options: FitOptions = {}): Promise<FitHistory> {
    return fitModel(this.core, data, options, (d) => this.evaluate(d, { batchSize: options.batchSize }))
  }

  /** Mean loss (and accuracy) over `data`, every target weighted equally. */
  async evaluate(data: readonly Sequence[], options: { batchSize?: number } = {}): Promise<Metrics> {
    const executable = await this.core.evaluationGraph()
    let loss = 0
    let count = 0
    let right = 0
    for (const [batch, first] of batches(data, options.batchSize)) {
      const host = makeBatch(this.spec, batch, true, first)
      const { inputs, release } = this.core.bind(host)
      try {
        const out = await executable.run(inputs)
        const n = targetCount(this.spec, host)
        loss += (await out.loss!.read())[0]! * n
        count += n
        if (this.spec.task !== 'regression')
          right += correct(host, await out[headOutput(this.spec)]!.read(), this.spec.outputs)
      } finally {
        release()
      }
    }
    if (count === 0) throw new Error('evaluate needs at least one sequence')
    return this.spec.task === 'regression'
      ? { loss: loss / count }
      : { loss: loss / count, accuracy: right / count }
  }

  /**
   * The head's outputs for each sequence: `outputs` values at the last step, or `length × outputs`
   * values (row per step) with `at: 'each'`. Classification and next-token outputs are logits.
   */
  async predict(data: readonly Sequence[], options: { batchSize?: number } = {}): Promise<Float32Array[]> {
    const results: Float32Array[] = []
    const O = this.spec.outputs
    for (const [batch, first] of batches(data, options.batchSize)) {
      const host = makeBatch(
        { ...this.spec, task: this.spec.task === 'next-token' ? 'regression' : this.spec.task },
        batch,
        false,
        first,
      )
      const { inputs, release } = this.core.bind(host)
      try {
        const y = await (await this.core.forward.run(inputs))[headOutput(this.spec)]!.read()
        host.lengths.forEach((len, b) => {
          if (this.spec.at === 'last') results.push(Float32Array.from(y.subarray(b * O, (b + 1) * O)))
          else {
            const rows = new Float32Array(len * O)
            for (let t = 0; t < len; t++)
              rows.set(y.subarray((t * host.batch + b) * O, (t * host.batch + b + 1) * O), t * O)
            results.push(rows)
          }
        })
      } finally {
        release()
      }
    }
    return results
  }

  /**
   * One step of one sequence, carrying the state from the previous call until `resetState()`:
   * `x` is a step's features (or a token id); the result is the head's `outputs` values.
   */
  async step(x: number | ArrayLike<number>): Promise<Float32Array> {
    const spec = this.spec
    if ((spec.direction ?? 'forward') !== 'forward')
      throw new ModelOptionsError(
        `step() carries the state forward in time; a ${spec.direction} model reads whole sequences (use predict)`,
      )
    this.carried ??= zeroStates(this.backend, spec, 1)
    const sequence: Sequence = { x: spec.tokens ? [x as number] : typeof x === 'number' ? [x] : x }
    const host = makeBatch({ ...spec, task: 'regression' }, [sequence], false)
    const { inputs, release } = this.core.bind(host, { states: this.carried })
    try {
      // the final states replace the carried ones on the backend (into an input: read first)
      const out = await this.core.forward.run(inputs, { into: this.carried })
      return Float32Array.from(await out[headOutput(spec)]!.read())
    } finally {
      release()
    }
  }

  /** Forgets the state `step()` carries. */
  resetState(): void {
    for (const t of Object.values(this.carried ?? {})) t.dispose()
    this.carried = undefined
  }

  /**
   * The parameters as host tensors under PyTorch's names where the cell has them (`rnn.weight_ih_l0`,
   * `decoder.weight`, `encoder.weight`, ...), else `rnn.l<k>.<param>`.
   */
  async stateDict(): Promise<Record<string, Tensor>> {
    return toStoredNames(this.spec, await readAll(this.core.params))
  }

  /** Sets every parameter from a state dict; a missing, extra or misshapen tensor is named in the error. */
  loadStateDict(state: Readonly<Record<string, Tensor>>): void {
    loadStateInto(this.core, state)
  }

  /** The model as safetensors bytes, with its training state unless `optimizer: false` (`loadModel` reads them back). */
  save(options: SaveOptions = {}): Promise<Uint8Array> {
    return saveModel(this, options)
  }

  /** Forgets the optimizer state `fit` keeps: the next `fit` starts fresh moments. */
  resetOptimizer(): void {
    this.core.resetOptimizer()
  }

  dispose(): void {
    this.resetState()
    this.core.dispose()
  }
}

/** The data in batches of `size` (default 32), each with the index of its first sequence. */
export function* batches<T>(data: readonly T[], size = 32): Generator<[T[], number]> {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${size}`)
  for (let i = 0; i < data.length; i += size) yield [data.slice(i, i + size), i]
}

/** How many targets a batch's loss averages over: sequences, or valid steps. */
const targetCount = (spec: ModelSpec, b: HostBatch): number =>
  spec.at === 'last' ? b.batch : b.lengths.reduce((n, l) => n + l, 0)

/** Targets whose logits' largest entry is the target class (rows past a sequence's length skipped). */
function correct(b: HostBatch, logits: Float32Array | Float64Array, classes: number): number {
  const perStep = b.targets!.length !== b.batch
  let right = 0
  for (let r = 0; r < b.targets!.length; r++) {
    if (perStep && b.mask[r] === 0) continue
    let best = 0
    for (let c = 1; c < classes; c++) if (logits[r * classes + c]! > logits[r * classes + best]!) best = c
    if (best === b.targets![r]) right++
  }
  return right
}
