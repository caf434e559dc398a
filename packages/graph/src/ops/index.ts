import { add } from './add.js'
import type { OpName } from './attrs.js'
import { broadcastLike } from './broadcastLike.js'
import { clamp } from './clamp.js'
import { concat } from './concat.js'
import { constant } from './constant.js'
import { crossEntropy } from './crossEntropy.js'
import { crossEntropyGrad } from './crossEntropyGrad.js'
import type { OpDef } from './def.js'
import { div } from './div.js'
import { exp } from './exp.js'
import { greater } from './greater.js'
import { input } from './input.js'
import { isfinite } from './isfinite.js'
import { layer } from './layer.js'
import { log } from './log.js'
import { matmul } from './matmul.js'
import { max } from './max.js'
import { min } from './min.js'
import { mul } from './mul.js'
import { neg } from './neg.js'
import { oneMinus } from './oneMinus.js'
import { outerSum } from './outerSum.js'
import { pad } from './pad.js'
import { param } from './param.js'
import { reduceMax } from './reduceMax.js'
import { reduceMean } from './reduceMean.js'
import { reduceSum } from './reduceSum.js'
import { relu } from './relu.js'
import { rowCount } from './rowCount.js'
import { rsqrt } from './rsqrt.js'
import { scan } from './scan.js'
import { sigmoid } from './sigmoid.js'
import { slice } from './slice.js'
import { softmax } from './softmax.js'
import { sqrt } from './sqrt.js'
import { state } from './state.js'
import { sub } from './sub.js'
import { sumAll } from './sumAll.js'
import { sumLike } from './sumLike.js'
import { sumRows } from './sumRows.js'
import { tanh } from './tanh.js'
import { where } from './where.js'

/** Every op of the IR, keyed by name. Exhaustive: adding a name to OpAttrs without a definition is a type error. */
export const ops: { readonly [K in OpName]: OpDef<K> } = {
  input,
  state,
  param,
  constant,
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

export const opNames = Object.keys(ops) as OpName[]

export const isOpName = (name: string): name is OpName => Object.hasOwn(ops, name)

export type { Activation, OpAttrs, OpName } from './attrs.js'
export { activations } from './attrs.js'
export { broadcastTypes } from './broadcast.js'
export type { AttrKind, BodySignature, OpDef, OpKind, Term } from './def.js'
export type {
  BinaryPointwiseOpName,
  CompositeOpName,
  PointwiseOpName,
  PrimitivePointwiseOpName,
  UnaryPointwiseOpName,
} from './pointwise.js'
