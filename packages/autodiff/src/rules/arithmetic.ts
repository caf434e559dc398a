import { div as divide, mul as multiply, neg, type Value } from '@cellgraph/graph'
import { unbroadcast } from '../emit.js'
import { once, type VjpContext, type VjpRule } from '../rule.js'

/** The cotangent `full` (of the broadcast result's type) reduced to input i's type. */
const toInput = (ctx: VjpContext<'add' | 'sub' | 'mul' | 'div'>, i: number, full: () => Value) => () =>
  unbroadcast(full(), ctx.inputTypes[i]!, () => ctx.like(i))

export const add: VjpRule<'add'> = {
  saves: {},
  vjp: (ctx) => [toInput(ctx, 0, () => ctx.g), toInput(ctx, 1, () => ctx.g)],
}

export const sub: VjpRule<'sub'> = {
  saves: {},
  vjp: (ctx) => [toInput(ctx, 0, () => ctx.g), toInput(ctx, 1, () => neg(ctx.g))],
}

export const mul: VjpRule<'mul'> = {
  saves: { inputs: [0, 1] },
  vjp: (ctx) => [
    toInput(ctx, 0, () => multiply(ctx.g, ctx.input(1))),
    toInput(ctx, 1, () => multiply(ctx.g, ctx.input(0))),
  ],
}

/** y = a / b: da = g / b, db = −(g / b)·y. */
export const div: VjpRule<'div'> = {
  saves: { inputs: [1], outputs: [0] },
  vjp: (ctx) => {
    const gOverB = once(() => divide(ctx.g, ctx.input(1)))
    return [toInput(ctx, 0, gOverB), toInput(ctx, 1, () => neg(multiply(gOverB(), ctx.output(0))))]
  },
}
