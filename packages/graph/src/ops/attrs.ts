import type { Graph } from '../ir.js'
import type { ValueType } from '../types.js'

export type Activation = 'identity' | 'sigmoid' | 'tanh' | 'relu'
export const activations: readonly Activation[] = ['identity', 'sigmoid', 'tanh', 'relu']

type None = Record<string, never>

/** The attributes of every op, keyed by op name. `OpName` is derived from this record. */
export interface OpAttrs {
  input: { name: string; type: ValueType }
  state: { name: string; type: ValueType }
  param: { name: string; shape: number[] }
  constant: { value: number }
  neg: None
  oneMinus: None
  sigmoid: None
  tanh: None
  relu: None
  exp: None
  log: None
  sqrt: None
  rsqrt: None
  add: None
  sub: None
  mul: None
  div: None
  max: None
  min: None
  greater: None
  isfinite: None
  clamp: { min: number; max: number }
  where: None
  layer: { activation: Activation }
  matmul: { transposeB: boolean }
  outerSum: None
  sumRows: None
  rowCount: None
  sumAll: None
  broadcastLike: None
  sumLike: None
  concat: None
  slice: { start: number; end: number }
  pad: { before: number; after: number }
  reduceSum: None
  reduceMean: None
  reduceMax: None
  softmax: None
  crossEntropy: None
  crossEntropyGrad: None
  scan: { body: Graph; carries: number; sequences: number; reverse: boolean }
}

export type OpName = keyof OpAttrs
