import { type PointwiseOp, pointwiseOps } from './ops.js'

/**
 * A pointwise expression over the inputs of a fused kernel. An `input` is read element by element;
 * a `rowInput` is one value per row (at in_k + r·ld_k), repeated along the row: a row mean or
 * norm, or with row stride 0 a single scalar for the whole grid.
 */
export type Expr =
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'rowInput'; readonly index: number }
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'op'; readonly op: PointwiseOp; readonly args: readonly Expr[] }

export const input = (index: number): Expr => {
  if (!Number.isInteger(index) || index < 0)
    throw new RangeError(`input(${index}): index must be a natural number`)
  return { kind: 'input', index }
}

/** Input `index` as one value per row, repeated along the row (row stride 0: one scalar). */
export const rowInput = (index: number): Expr => {
  if (!Number.isInteger(index) || index < 0)
    throw new RangeError(`rowInput(${index}): index must be a natural number`)
  return { kind: 'rowInput', index }
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
      : e.kind === 'rowInput'
        ? `r${e.index}`
        : e.kind === 'const'
          ? `${e.value}`
          : `${e.op}(${e.args.map(key).join(',')})`
  return outputs.map(key).join(';')
}

/**
 * How the expressions read each input, by index: 'element' or 'row' (one value per row); an index
 * they never read is read as 'element'. An input read both ways is an error.
 */
export const inputKinds = (outputs: readonly Expr[]): ('element' | 'row')[] => {
  const kinds: ('element' | 'row' | undefined)[] = []
  const visit = (e: Expr): void => {
    if (e.kind === 'op') e.args.forEach(visit)
    if (e.kind !== 'input' && e.kind !== 'rowInput') return
    const kind = e.kind === 'input' ? 'element' : 'row'
    const known = kinds[e.index]
    if (known !== undefined && known !== kind)
      throw new Error(`pointwise: input ${e.index} is read both per element and per row`)
    kinds[e.index] = kind
  }
  outputs.forEach(visit)
  return Array.from(kinds, (k) => k ?? 'element')
}

/** The number of inputs the expressions read: one more than the highest input index. */
export const inputCount = (outputs: readonly Expr[]): number => inputKinds(outputs).length
