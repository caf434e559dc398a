import { concat, isRows, reduceSum, sameType, sumAll, type Value, type ValueType } from '@cellgraph/graph'

/** Ops the DSL does not expose as functions, emitted on the builder of their first operand. */
export const outerSum = (a: Value, b: Value): Value => a.builder.apply('outerSum', [a, b], {})[0]!
export const broadcastLike = (x: Value, like: Value): Value =>
  like.builder.apply('broadcastLike', [x, like], {})[0]!
export const sumLike = (x: Value, like: Value): Value => x.builder.apply('sumLike', [x, like], {})[0]!
export const pad = (x: Value, before: number, after: number): Value =>
  x.builder.apply('pad', [x], { before, after })[0]!
export const crossEntropyGrad = (logits: Value, target: Value, g: Value): Value =>
  logits.builder.apply('crossEntropyGrad', [logits, target, g], {})[0]!

/** A zero of the type of `like`. */
export const zerosLike = (like: Value): Value => broadcastLike(like.builder.constant(0), like)

/**
 * The cotangent of a broadcast operand: `g` (of the broadcast result's type) summed down to the
 * operand's type. Row operands with one feature sum over the feature axis; tensor operands ([F],
 * [1], []) go through sumLike, which reads only the operand's type.
 */
export function unbroadcast(g: Value, operandType: ValueType, like: () => Value): Value {
  if (sameType(g.type, operandType)) return g
  if (isRows(operandType)) return reduceSum(g)
  return sumLike(g, like())
}

/**
 * A keep-dims reduction result s ([.., 1]) spread back over the last axis of `like`. Row values
 * broadcast as they are; tensors broadcast only from scalars, so a rank-1 tensor's [1] becomes a
 * scalar and a rank-2 tensor's [M,1] is repeated along the last axis by concatenation.
 */
export function spreadLastAxis(s: Value, like: ValueType): Value {
  const size = like.shape.at(-1)!
  if (isRows(like) || size === 1) return s
  if (like.shape.length === 1) return sumAll(s)
  return concat(...Array.from({ length: size }, () => s))
}
