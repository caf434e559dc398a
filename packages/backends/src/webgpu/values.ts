import { elementCount, type ValueType } from '@cellgraph/graph'

/** Arena offset (in f32 elements) of a value at scan step `s`; values outside a loop ignore `s`. */
export type Place = (step: number) => number

/** A value's run-time extent and where it lives. */
export interface ValueInfo {
  readonly type: ValueType
  readonly dims: readonly number[]
  readonly count: number
  /** Size of the last axis (1 for scalars); the value is viewed as [count / last, last]. */
  readonly last: number
  readonly rows: number
  readonly place: Place
  /** Set for values that are one number throughout (`constant` nodes, constant fills): fused kernels inline the literal. */
  readonly constant?: number
}

/** The run-time sizes a plan is built for. */
export interface RunSizes {
  readonly batch: number
  readonly steps: number
}

export const dimsFor = (t: ValueType, sizes: RunSizes): number[] =>
  t.layout === 'tensor'
    ? [...t.shape]
    : t.layout === 'batch'
      ? [sizes.batch, t.shape[0]!]
      : [sizes.steps, sizes.batch, t.shape[0]!]

export const valueInfo = (t: ValueType, sizes: RunSizes, place: Place, constant?: number): ValueInfo => {
  const dims = dimsFor(t, sizes)
  const count = elementCount(dims)
  const last = dims.length === 0 ? 1 : dims[dims.length - 1]!
  return {
    type: t,
    dims,
    count,
    last,
    rows: count / last,
    place,
    ...(constant === undefined ? {} : { constant }),
  }
}

export const fixed =
  (offset: number): Place =>
  () =>
    offset

/** Hands out arena regions (f32 offsets); regions live as long as the plan. */
export class ArenaLayout {
  size = 0
  readonly fills: { offset: number; count: number; value: number }[] = []
  take(count: number): number {
    // Regions start at multiples of 4 floats: a vec4 view of the arena loads them whole.
    const at = Math.ceil(this.size / 4) * 4
    this.size = at + Math.max(count, 1)
    return at
  }
  /** A region of `count` copies of `value`, written once when the plan is built (constants, row counts). */
  constantRegion(count: number, value: number): number {
    const at = this.take(count)
    this.fills.push({ offset: at, count, value })
    return at
  }
}
