import { GraphError } from '../errors.js'
import type { Activation, BinaryPointwiseOpName, UnaryPointwiseOpName } from '../ops/index.js'
import { currentBuilder, type GraphBuilder, Value } from './builder.js'

/** An op input: a traced value, or a number (a scalar constant). */
export type Operand = Value | number

const builderOf = (args: readonly Operand[], what: string): GraphBuilder => {
  const v = args.find((a): a is Value => a instanceof Value)
  return v ? v.builder : currentBuilder(what)
}

const lift = (b: GraphBuilder, a: Operand): Value => (typeof a === 'number' ? b.constant(a) : a)

const pointwise =
  <K extends UnaryPointwiseOpName>(op: K) =>
  (x: Operand): Value => {
    const b = builderOf([x], op)
    return b.apply(op, [lift(b, x)], {})[0]!
  }

const pointwise2 =
  <K extends BinaryPointwiseOpName>(op: K) =>
  (a: Operand, c: Operand): Value => {
    const b = builderOf([a, c], op)
    return b.apply(op, [lift(b, a), lift(b, c)], {})[0]!
  }

export const neg = pointwise('neg')
export const oneMinus = pointwise('oneMinus')
export const sigmoid = pointwise('sigmoid')
export const tanh = pointwise('tanh')
export const relu = pointwise('relu')
export const exp = pointwise('exp')
export const log = pointwise('log')
export const sqrt = pointwise('sqrt')
export const rsqrt = pointwise('rsqrt')
export const add = pointwise2('add')
export const sub = pointwise2('sub')
export const mul = pointwise2('mul')
export const div = pointwise2('div')
export const max = pointwise2('max')
export const min = pointwise2('min')
export const greater = pointwise2('greater')
/** 1 where `x` is finite, 0 where it is NaN or ±Infinity: a test no compiler may fold away. */
export const isfinite = pointwise('isfinite')

export const clamp = (x: Value, lo: number, hi: number): Value =>
  x.builder.apply('clamp', [x], { min: lo, max: hi })[0]!

/** `a` where `cond` is non-zero, else `b`. */
export const where = (cond: Value, a: Operand, c: Operand): Value => {
  const b = cond.builder
  return b.apply('where', [cond, lift(b, a), lift(b, c)], {})[0]!
}

export const concat = (...xs: Value[]): Value => builderOf(xs, 'concat').apply('concat', xs, {})[0]!
export const slice = (x: Value, start: number, end: number): Value =>
  x.builder.apply('slice', [x], { start, end })[0]!

/** Splits the feature axis into consecutive parts of the given sizes. */
export const split = (x: Value, sizes: readonly number[]): Value[] => {
  let start = 0
  return sizes.map((n) => slice(x, start, (start += n)))
}

export const reduceSum = (x: Value): Value => x.builder.apply('reduceSum', [x], {})[0]!
export const reduceMean = (x: Value): Value => x.builder.apply('reduceMean', [x], {})[0]!
export const reduceMax = (x: Value): Value => x.builder.apply('reduceMax', [x], {})[0]!
export const softmax = (x: Value): Value => x.builder.apply('softmax', [x], {})[0]!
export const sumRows = (x: Value): Value => x.builder.apply('sumRows', [x], {})[0]!
export const sumAll = (x: Value): Value => x.builder.apply('sumAll', [x], {})[0]!
export const rowCount = (x: Value): Value => x.builder.apply('rowCount', [x], {})[0]!
/** Mean over all rows (batch, or time and batch): a tensor [F]. */
export const meanRows = (x: Value): Value => div(sumRows(x), rowCount(x))
export const matmul = (a: Value, w: Value, transposeB = false): Value =>
  a.builder.apply('matmul', [a, w], { transposeB })[0]!

/** Per-row softmax cross-entropy of logits against class indices ([B,1] or [T,B,1]). */
export const crossEntropy = (logits: Value, target: Value): Value =>
  logits.builder.apply('crossEntropy', [logits, target], {})[0]!

/** A learned parameter tensor, created by name in the cell being defined. */
export const param = (name: string, shape: readonly number[]): Value =>
  currentBuilder('param').leaf('param', name, { name, shape: [...shape] })

const activationOf = new Map<unknown, Activation>([
  [sigmoid, 'sigmoid'],
  [tanh, 'tanh'],
  [relu, 'relu'],
])

export interface LayerOptions {
  /** Number of bias vectors: 0, 1 (default) or 2 (PyTorch's bias_ih + bias_hh). */
  readonly biases?: 0 | 1 | 2
}

/**
 * A learned layer, activation(x·Wᵀ + b): creates parameters `<name>.W` [size, in] and `<name>.b`
 * [size] (and `<name>.b2` with two biases). The activation is a string or one of the functions
 * sigmoid, tanh, relu; it defaults to the identity (an affine map).
 */
export function layer(
  name: string,
  x: Value,
  size: number,
  activation: Activation | ((x: Operand) => Value) = 'identity',
  options: LayerOptions = {},
): Value {
  const act = typeof activation === 'function' ? activationOf.get(activation) : activation
  if (!act)
    throw new GraphError(
      `layer '${name}': the activation must be sigmoid, tanh, relu or identity`,
      name,
      'layer',
    )
  if (!Number.isInteger(size) || size < 1)
    throw new GraphError(`layer '${name}': size must be a positive integer, got ${size}`, name, 'layer')
  const b = x.builder
  const inSize = x.type.shape[x.type.shape.length - 1]!
  const params = [b.leaf('param', `${name}.W`, { name: `${name}.W`, shape: [size, inSize] })]
  const biasNames = ['b', 'b2'].slice(0, options.biases ?? 1)
  for (const bias of biasNames)
    params.push(b.leaf('param', `${name}.${bias}`, { name: `${name}.${bias}`, shape: [size] }))
  return b.apply('layer', [x, ...params], { activation: act }, name)[0]!
}
