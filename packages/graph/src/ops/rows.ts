import { formatType, isRows, type ValueType } from '../types.js'
import { fail } from './def.js'

/** Asserts a row value (batch or seq) and returns its feature size. */
export const features = (t: ValueType, what: string): number => {
  if (!isRows(t)) fail(`${what} must be a row value ([B,F] or [T,B,F]), got ${formatType(t)}`)
  return t.shape[0]!
}

/** Asserts a tensor of the given rank and returns its shape. */
export const tensorShape = (t: ValueType, rank: number, what: string): readonly number[] => {
  if (t.layout !== 'tensor' || t.shape.length !== rank)
    fail(`${what} must be a rank-${rank} tensor, got ${formatType(t)}`)
  return t.shape
}

export const sameRowLayout = (a: ValueType, b: ValueType, what: string): void => {
  if (a.layout !== b.layout) fail(`${what}: layouts differ, ${formatType(a)} and ${formatType(b)}`)
}
