import type { OpName } from '@cellgraph/graph'
import { noInputs, type VjpRule } from '../rule.js'
import { add, div, mul, sub } from './arithmetic.js'
import { broadcastLike, sumLike } from './broadcast.js'
import { matmul, outerSum } from './contraction.js'
import { layer } from './layer.js'
import { reduceMax, reduceMean, reduceSum, rowCount, sumAll, sumRows } from './reduction.js'
import { scan } from './scan.js'
import { clamp, greater, isfinite, max, min, where } from './select.js'
import { crossEntropy, crossEntropyGrad, softmax } from './softmax.js'
import { concat, pad, slice } from './structural.js'
import { exp, log, neg, oneMinus, relu, rsqrt, sigmoid, sqrt, tanh } from './unary.js'

/** The vector-Jacobian rule of every op. Exhaustive: an op without a rule is a type error. */
export const vjpRules: { readonly [K in OpName]: VjpRule<K> } = {
  input: noInputs,
  state: noInputs,
  param: noInputs,
  constant: noInputs,
  neg,
  oneMinus,
  sigmoid,
  tanh,
  relu,
  exp,
  log,
  sqrt,
  rsqrt,
  add,
  sub,
  mul,
  div,
  max,
  min,
  greater,
  isfinite,
  clamp,
  where,
  layer,
  matmul,
  outerSum,
  sumRows,
  rowCount,
  sumAll,
  broadcastLike,
  sumLike,
  concat,
  slice,
  pad,
  reduceSum,
  reduceMean,
  reduceMax,
  softmax,
  crossEntropy,
  crossEntropyGrad,
  scan,
}
