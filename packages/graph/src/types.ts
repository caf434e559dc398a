/**
 * Value types of the IR.
 *
 * Every value has a layout and a static shape:
 * - `tensor`: a plain tensor of exactly `shape` (parameters, gradients, scalars).
 * - `batch`:  one row per sequence in the batch, `[B, ...shape]` at run time; `shape` is `[features]`.
 * - `seq`:    time-major `[T, B, ...shape]` at run time; `shape` is `[features]`.
 *
 * The batch size B and the sequence length T are known only at run time. Sequences are always
 * time-major: step t of a `seq` value is a contiguous `batch` value.
 */
export type Layout = 'tensor' | 'batch' | 'seq'

export interface ValueType {
  readonly layout: Layout
  readonly shape: readonly number[]
}

export const rowsOf = (features: number, layout: 'batch' | 'seq' = 'batch'): ValueType => ({
  layout,
  shape: [features],
})

export const tensorOf = (...shape: number[]): ValueType => ({ layout: 'tensor', shape })

export const isRows = (t: ValueType): boolean => t.layout !== 'tensor'

/** Size of the last axis (the feature axis for row values); 1 for a scalar. */
export const lastDim = (t: ValueType): number => (t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1]!)

export const sameType = (a: ValueType, b: ValueType): boolean =>
  a.layout === b.layout && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i])

export const formatType = (t: ValueType): string => {
  const dims = t.shape.join('x')
  if (t.layout === 'tensor') return `[${dims}]`
  return t.layout === 'batch' ? `[B,${dims}]` : `[T,B,${dims}]`
}

export const elementCount = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1)

export const isValidShape = (shape: unknown): shape is number[] =>
  Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 1)
