import { where as choose, greater as isGreater, type Value } from '@cellgraph/graph'
import { unbroadcast } from '../emit.js'
import { once, type VjpContext, type VjpRule } from '../rule.js'

type Selecting = 'max' | 'min' | 'where'

const toInput = (ctx: VjpContext<Selecting>, i: number, full: () => Value) => () =>
  unbroadcast(full(), ctx.inputTypes[i]!, () => ctx.like(i))

/**
 * The cotangent goes to the operand that was selected. `pickedB` is 1 where the forward pass chose
 * b; ties go to a, exactly as the interpreter's max (a >= b) and min (a <= b) choose.
 */
const selectRule = (pickedB: (a: Value, b: Value) => Value) => ({
  saves: { inputs: [0, 1] },
  vjp: (ctx: VjpContext<'max' | 'min'>) => {
    const mask = once(() => pickedB(ctx.input(0), ctx.input(1)))
    return [toInput(ctx, 0, () => choose(mask(), 0, ctx.g)), toInput(ctx, 1, () => choose(mask(), ctx.g, 0))]
  },
})

export const max: VjpRule<'max'> = selectRule((a, b) => isGreater(b, a))

export const min: VjpRule<'min'> = selectRule((a, b) => isGreater(a, b))

/** A step function: zero derivative almost everywhere, undefined at the step. No cotangents. */
export const greater: VjpRule<'greater'> = { saves: {}, vjp: () => [undefined, undefined] }

/** A finiteness test: constant 1 wherever it is defined (finite inputs). No cotangent. */
export const isfinite: VjpRule<'isfinite'> = { saves: {}, vjp: () => [undefined] }

/** The cotangent passes where min <= x <= max (the bounds included, as in PyTorch). */
export const clamp: VjpRule<'clamp'> = {
  saves: { inputs: [0] },
  vjp: (ctx) => {
    const x = ctx.input(0)
    return [() => choose(isGreater(x, ctx.attrs.max), 0, choose(isGreater(ctx.attrs.min, x), 0, ctx.g))]
  },
}

/** where(cond, a, b): the condition gets no cotangent. */
export const where: VjpRule<'where'> = {
  saves: { inputs: [0] },
  vjp: (ctx) => [
    undefined,
    toInput(ctx, 1, () => choose(ctx.input(0), ctx.g, 0)),
    toInput(ctx, 2, () => choose(ctx.input(0), 0, ctx.g)),
  ],
}
