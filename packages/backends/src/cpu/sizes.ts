import { elementCount, type ValueType } from '@cellgraph/graph'

export interface RunSizes {
  readonly batch: number
  readonly steps: number
}

/** Rows and features of a value viewed as a [rows, features] block. */
export function rowsAndFeatures(t: ValueType, { batch, steps }: RunSizes): [number, number] {
  if (t.layout === 'batch') return [batch, t.shape[0]!]
  if (t.layout === 'seq') return [steps * batch, t.shape[0]!]
  const f = t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1]!
  return [elementCount(t.shape) / f, f]
}

export const elements = (t: ValueType, sizes: RunSizes): number => {
  const [r, f] = rowsAndFeatures(t, sizes)
  return r * f
}
