import { type PointwiseOp, pointwiseOps } from './ops.js'

/** A pointwise expression over the inputs of a fused kernel. */
export type Expr =
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'op'; readonly op: PointwiseOp; readonly args: readonly Expr[] }

export const input = (index: number): Expr => {
  if (!Number.isInteger(index) || index < 0)
    throw new RangeError(`input(${index}): index must be a natural number`)
  return { kind: 'input', index }
}

export const constant = (value: number): Expr => ({ kind: 'const', value })

/** apply('sigmoid', x), apply('mul', a, b), ... (arity checked against the op table). */
export const apply = (op: PointwiseOp, ...args: Expr[]): Expr => {
  const rule = pointwiseOps[op]
  if (!rule) throw new Error(`pointwise: unknown op '${op}'`)
  if (args.length !== rule.arity) {
    throw new Error(`pointwise op '${op}' takes ${rule.arity} argument(s), got ${args.length}`)
  }
  return { kind: 'op', op, args }
}

/** A stable text key of the expressions (for caching compiled kernels). */
export const exprKey = (outputs: readonly Expr[]): string => {
  const key = (e: Expr): string =>
    e.kind === 'input'
      ? `x${e.index}`
      : e.kind === 'const'
        ? `${e.value}`
        : `${e.op}(${e.args.map(key).join(',')})`
  return outputs.map(key).join(';')
}

/** The number of inputs the expressions read: one more than the highest input index. */
export const inputCount = (outputs: readonly Expr[]): number => {
  let count = 0
  const visit = (e: Expr): void => {
    if (e.kind === 'input') count = Math.max(count, e.index + 1)
    else if (e.kind === 'op') e.args.forEach(visit)
  }
  outputs.forEach(visit)
  return count
}
