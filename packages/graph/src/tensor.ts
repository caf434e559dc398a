import { InputError } from './errors.js'
import { elementCount } from './types.js'

/** A dense float64 array with row-major dims: [B,F] for batch values, [T,B,F] for sequences. */
export interface Tensor {
  readonly dims: readonly number[]
  readonly data: Float64Array
}

export const tensor = (dims: readonly number[], data?: ArrayLike<number>): Tensor => {
  const size = elementCount(dims)
  if (data && data.length !== size)
    throw new InputError(`data has ${data.length} values, dims [${dims.join(',')}] need ${size}`)
  return { dims: [...dims], data: data ? Float64Array.from(data) : new Float64Array(size) }
}

export const zeros = (dims: readonly number[]): Tensor => tensor(dims)

/** A tensor from nested arrays, e.g. [[1, 2], [3, 4]] gives dims [2, 2]. */
export function fromNested(values: unknown): Tensor {
  const dims: number[] = []
  let probe = values
  while (Array.isArray(probe)) {
    dims.push(probe.length)
    probe = probe[0]
  }
  const flat = (values as unknown[]).flat(Number.POSITIVE_INFINITY) as number[]
  return tensor(dims, flat)
}

/** Nested arrays from a tensor (the inverse of fromNested). */
export function toNested(t: Tensor): unknown {
  const build = (axis: number, offset: number): unknown => {
    if (axis === t.dims.length) return t.data[offset]
    const stride = elementCount(t.dims.slice(axis + 1))
    return Array.from({ length: t.dims[axis]! }, (_, i) => build(axis + 1, offset + i * stride))
  }
  return build(0, 0)
}
