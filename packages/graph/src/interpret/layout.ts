import type { Tensor } from '../tensor.js'
import { elementCount, isRows, type ValueType } from '../types.js'

/** Run-time dims of a value of type `t` whose rows are `rows` ([B] or [T,B]). */
export const dimsOf = (t: ValueType, rows: readonly number[]): number[] =>
  isRows(t) ? [...rows, t.shape[0]!] : [...t.shape]

/** The row dims ([B] or [T,B]) of the first row-valued argument. */
export const rowDims = (args: readonly Tensor[], types: readonly ValueType[]): number[] => {
  const i = types.findIndex(isRows)
  return i < 0 ? [] : args[i]!.dims.slice(0, -1)
}

/** Number of rows and the size of the last axis, viewing a tensor as [rows, last]. */
export const asMatrix = (t: Tensor): [number, number] => {
  const last = t.dims.length === 0 ? 1 : t.dims[t.dims.length - 1]!
  return [elementCount(t.dims) / last, last]
}

/**
 * Index of the element of a broadcast operand that feeds output element (row r, feature j, flat i).
 * Row operands with one feature repeat it; per-unit tensors repeat over rows; scalars repeat everywhere.
 */
export const broadcastIndex = (
  operand: Tensor,
  operandType: ValueType,
  outRows: boolean,
  r: number,
  j: number,
  i: number,
) => {
  const size = operand.data.length
  if (isRows(operandType)) {
    const f = operand.dims[operand.dims.length - 1]!
    return r * f + (f === 1 ? 0 : j)
  }
  if (size === 1) return 0
  return outRows ? j : i
}
