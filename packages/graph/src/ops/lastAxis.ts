import { formatType, type ValueType } from '../types.js'
import { fail } from './def.js'

/** Size of the last axis; fails for scalars, which have none. */
export const lastAxis = (t: ValueType, what: string): number => {
  if (t.shape.length === 0) fail(`${what} needs an axis, got a scalar ${formatType(t)}`)
  return t.shape[t.shape.length - 1]!
}

export const withLastAxis = (t: ValueType, size: number): ValueType => ({
  layout: t.layout,
  shape: [...t.shape.slice(0, -1), size],
})
