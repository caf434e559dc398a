import type { ModelSpec } from './options.js'

/** One example: a sequence of steps and, for training and evaluation, its target. */
export interface Sequence {
  /**
   * The steps: rows of features (`[[x0, x1], [x0, x1], ...]`) or the same values flat (T · inputSize
   * of them); token ids for a token model.
   */
  readonly x: ArrayLike<number> | readonly ArrayLike<number>[]
  /**
   * The target. Regression: a number or `outputs` numbers at the last step, rows (or flat T ·
   * outputs values) for every step. Classification: a class id at the last step, one per step.
   * Next-token: none (the input shifted by one step).
   */
  readonly y?: number | ArrayLike<number> | readonly ArrayLike<number>[]
}

/** A padded batch on the host, time-major: [T,B,·] rows with a step mask. */
export interface HostBatch {
  readonly steps: number
  readonly batch: number
  readonly lengths: readonly number[]
  readonly x: Float64Array
  readonly mask: Float64Array
  /** 1 at each sequence's last step ('last' heads). */
  readonly last: Float64Array
  /** Per step [T,B,W] or per sequence [B,W]; absent without targets. */
  readonly targets?: Float64Array
}

export class DataError extends Error {
  override name = 'DataError'
}

const flat = (v: Sequence['y'] | Sequence['x']): ArrayLike<number> => {
  if (typeof v === 'number') return [v]
  if (v === undefined || v === null || typeof (v as ArrayLike<unknown>).length !== 'number') return []
  const rows = v as ArrayLike<number | ArrayLike<number>>
  if (rows.length > 0 && typeof rows[0] === 'object')
    return Array.from(rows as ArrayLike<ArrayLike<number>>).flatMap((r) => Array.from(r))
  return rows as ArrayLike<number>
}

interface Example {
  readonly x: ArrayLike<number>
  readonly steps: number
  readonly targets?: ArrayLike<number>
}

/** Checks one sequence against the model; errors name the sequence and the field. */
function example(spec: ModelSpec, s: Sequence, at: string, withTargets: boolean): Example {
  if (typeof s !== 'object' || s === null || s.x === undefined)
    throw new DataError(`${at} must be an object { x, y }`)
  const x = flat(s.x)
  for (let i = 0; i < x.length; i++)
    if (!Number.isFinite(x[i])) throw new DataError(`${at}.x[${i}] is ${x[i]}, not a finite number`)
  if (spec.tokens) {
    for (let i = 0; i < x.length; i++)
      if (!Number.isInteger(x[i]) || x[i]! < 0 || x[i]! >= spec.inputWidth)
        throw new DataError(
          `${at}.x[${i}] is ${x[i]}: a token id is a whole number in [0, ${spec.inputWidth})`,
        )
  } else if (x.length % spec.inputWidth !== 0)
    throw new DataError(`${at}.x has ${x.length} values, not a multiple of inputSize ${spec.inputWidth}`)
  const steps = spec.tokens ? x.length : x.length / spec.inputWidth
  if (spec.task === 'next-token') {
    if (steps < 2) throw new DataError(`${at}.x needs at least 2 tokens to predict the next one`)
    const ids = Array.from(x)
    return { x: ids.slice(0, -1), steps: steps - 1, targets: ids.slice(1) }
  }
  if (steps < 1) throw new DataError(`${at}.x is empty`)
  if (!withTargets) return { x, steps }
  if (s.y === undefined) throw new DataError(`${at}.y is missing`)
  const y = flat(s.y)
  const width = spec.task === 'regression' ? spec.outputs : 1
  const want = spec.at === 'each' ? steps * width : width
  if (y.length !== want)
    throw new DataError(
      `${at}.y has ${y.length} values, the model needs ${want} (${spec.at === 'each' ? `${steps} steps × ${width}` : width})`,
    )
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!
    if (spec.task === 'classification' && !(Number.isInteger(v) && v >= 0 && v < spec.outputs))
      throw new DataError(`${at}.y[${i}] is ${v}: a class is a whole number in [0, ${spec.outputs})`)
    if (!Number.isFinite(v)) throw new DataError(`${at}.y[${i}] is ${v}, not a finite number`)
  }
  return { x, steps, targets: y }
}

/** Pads sequences of any lengths into one time-major batch (`first` numbers them in errors). */
export function makeBatch(
  spec: ModelSpec,
  data: readonly Sequence[],
  withTargets: boolean,
  first = 0,
): HostBatch {
  const examples = data.map((s, k) => example(spec, s, `data[${first + k}]`, withTargets))
  const B = examples.length
  const T = Math.max(...examples.map((e) => e.steps))
  const I = spec.inputWidth
  const x = new Float64Array(T * B * I)
  const mask = new Float64Array(T * B)
  const last = new Float64Array(T * B)
  const width = spec.task === 'regression' ? spec.outputs : 1
  const hasTargets = withTargets || spec.task === 'next-token'
  const targets = hasTargets ? new Float64Array((spec.at === 'each' ? T : 1) * B * width) : undefined
  examples.forEach((e, b) => {
    for (let t = 0; t < e.steps; t++) {
      const row = t * B + b
      mask[row] = 1
      if (spec.tokens) x[row * I + e.x[t]!] = 1
      else for (let i = 0; i < I; i++) x[row * I + i] = e.x[t * I + i]!
      if (targets && spec.at === 'each')
        for (let w = 0; w < width; w++) targets[row * width + w] = e.targets![t * width + w]!
    }
    last[(e.steps - 1) * B + b] = 1
    if (targets && spec.at === 'last') for (let w = 0; w < width; w++) targets[b * width + w] = e.targets![w]!
  })
  return { steps: T, batch: B, lengths: examples.map((e) => e.steps), x, mask, last, targets }
}
