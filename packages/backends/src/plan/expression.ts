import type { PrimitivePointwiseOpName } from '@cellgraph/graph'
import type { Access, FusedStep } from './kernelPlan.js'

/** What a renderer makes of each part of a fused kernel's expressions. */
export interface ExpressionRenderer<T> {
  operand(index: number, access: Access): T
  constant(value: number): T
  /** A primitive op over rendered arguments; undefined where this target has no form for it. */
  apply(op: PrimitivePointwiseOpName, args: readonly T[]): T | undefined
  /** What later instructions see of instruction k's value (a local's name, or the value itself). */
  bind(index: number, value: T): T
}

/**
 * The one walk over a fused kernel's expressions, for every target: each instruction once, in
 * order. Returns the value each stored member stores, or undefined when an op has no form.
 */
export function renderExpression<T>(
  step: FusedStep,
  r: ExpressionRenderer<T>,
): { readonly id: string; readonly value: T }[] | undefined {
  const locals: T[] = []
  const value = (a: FusedStep['stores'][number]['value']): T =>
    a.kind === 'operand'
      ? r.operand(a.index, step.operands[a.index]!.access)
      : a.kind === 'local'
        ? locals[a.index]!
        : r.constant(a.value)
  for (const [k, instruction] of step.body.entries()) {
    const v = r.apply(instruction.op, instruction.args.map(value))
    if (v === undefined) return undefined
    locals.push(r.bind(k, v))
  }
  return step.stores.map((s) => ({ id: s.id, value: value(s.value) }))
}
