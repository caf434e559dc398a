import { formatType, isRows, type ValueType } from '../types.js'
import { fail } from './def.js'

const isScalarLike = (t: ValueType) =>
  t.layout === 'tensor' && (t.shape.length === 0 || (t.shape.length === 1 && t.shape[0] === 1))

/**
 * The shape rule shared by all pointwise ops. Row values (batch or seq) combine with row values of
 * the same layout whose feature size is equal or 1, and with per-unit tensors `[F]`, `[1]` or
 * scalars `[]`. Tensors combine with tensors of the same shape or with scalars.
 */
export function broadcastTypes(types: readonly ValueType[]): ValueType {
  let result = types[0]!
  for (const t of types.slice(1)) result = broadcastPair(result, t)
  return result
}

function broadcastPair(a: ValueType, b: ValueType): ValueType {
  const mismatch = () => fail(`operands ${formatType(a)} and ${formatType(b)} do not broadcast`)
  if (isRows(a) && isRows(b)) {
    if (a.layout !== b.layout) return mismatch()
    const fa = a.shape[0]!
    const fb = b.shape[0]!
    if (fa !== fb && fa !== 1 && fb !== 1) return mismatch()
    return { layout: a.layout, shape: [Math.max(fa, fb)] }
  }
  if (isRows(a) || isRows(b)) {
    const rows = isRows(a) ? a : b
    const tensor = isRows(a) ? b : a
    if (isScalarLike(tensor)) return rows
    if (tensor.shape.length === 1 && tensor.shape[0] === rows.shape[0]) return rows
    if (tensor.shape.length === 1 && rows.shape[0] === 1)
      return { layout: rows.layout, shape: [tensor.shape[0]!] }
    return mismatch()
  }
  if (a.shape.length === 0) return b
  if (b.shape.length === 0) return a
  if (a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i])) return a
  return mismatch()
}
