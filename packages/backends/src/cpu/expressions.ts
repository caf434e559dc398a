import type { Node, OpAttrs, PointwiseOpName } from '@cellgraph/graph'

/** The elementwise ops, which fused kernels inline as expressions. */
export type PointwiseOp = PointwiseOpName

/**
 * JavaScript expression templates, one per pointwise op: operands are locals, literals or array
 * reads, so repeating one is safe. `H` is the helper object the generated code receives.
 */
export const jsExpressions: {
  readonly [K in PointwiseOp]: (args: readonly string[], attrs: OpAttrs[K]) => string
} = {
  neg: ([a]) => `-${a}`,
  oneMinus: ([a]) => `1 - ${a}`,
  sigmoid: ([a]) => `H.sigmoid(${a})`,
  tanh: ([a]) => `Math.tanh(${a})`,
  relu: ([a]) => `(${a} > 0 ? ${a} : 0)`,
  exp: ([a]) => `Math.exp(${a})`,
  log: ([a]) => `Math.log(${a})`,
  sqrt: ([a]) => `Math.sqrt(${a})`,
  rsqrt: ([a]) => `1 / Math.sqrt(${a})`,
  add: ([a, b]) => `${a} + ${b}`,
  sub: ([a, b]) => `${a} - ${b}`,
  mul: ([a, b]) => `${a} * ${b}`,
  div: ([a, b]) => `${a} / ${b}`,
  max: ([a, b]) => `(${a} >= ${b} ? ${a} : ${b})`,
  min: ([a, b]) => `(${a} <= ${b} ? ${a} : ${b})`,
  greater: ([a, b]) => `(${a} > ${b} ? 1 : 0)`,
  clamp: ([a], { min, max }) => `Math.min(Math.max(${a}, ${min}), ${max})`,
  where: ([c, a, b]) => `(${c} !== 0 ? ${a} : ${b})`,
}

export const isPointwiseOp = (op: string): op is PointwiseOp => Object.hasOwn(jsExpressions, op)

export function pointwiseExpression(n: Node, args: readonly string[]): string {
  const template = jsExpressions[n.op as PointwiseOp] as (a: readonly string[], attrs: unknown) => string
  return `(${template(args, n.attrs)})`
}
