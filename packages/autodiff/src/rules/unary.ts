import { div, greater, mul, neg as negate, oneMinus as oneMinusOf } from '@cellgraph/graph'
import type { VjpRule } from '../rule.js'

// Pointwise functions of one input. Where the derivative is a function of the output
// (sigmoid, tanh, relu, exp, sqrt, rsqrt) the rule reads the output, not the input.

export const neg: VjpRule<'neg'> = { saves: {}, vjp: ({ g }) => [() => negate(g)] }

export const oneMinus: VjpRule<'oneMinus'> = { saves: {}, vjp: ({ g }) => [() => negate(g)] }

/** σ' = y(1 − y). */
export const sigmoid: VjpRule<'sigmoid'> = {
  saves: { outputs: [0] },
  vjp: (ctx) => [() => mul(ctx.g, mul(ctx.output(0), oneMinusOf(ctx.output(0))))],
}

/** tanh' = 1 − y². */
export const tanh: VjpRule<'tanh'> = {
  saves: { outputs: [0] },
  vjp: (ctx) => [() => mul(ctx.g, oneMinusOf(mul(ctx.output(0), ctx.output(0))))],
}

/** relu' = [y > 0]. */
export const relu: VjpRule<'relu'> = {
  saves: { outputs: [0] },
  vjp: (ctx) => [() => mul(ctx.g, greater(ctx.output(0), 0))],
}

export const exp: VjpRule<'exp'> = {
  saves: { outputs: [0] },
  vjp: (ctx) => [() => mul(ctx.g, ctx.output(0))],
}

export const log: VjpRule<'log'> = {
  saves: { inputs: [0] },
  vjp: (ctx) => [() => div(ctx.g, ctx.input(0))],
}

/** sqrt' = 1 / (2y). */
export const sqrt: VjpRule<'sqrt'> = {
  saves: { outputs: [0] },
  vjp: (ctx) => [() => div(ctx.g, mul(ctx.output(0), 2))],
}

/** rsqrt' = −y³ / 2. */
export const rsqrt: VjpRule<'rsqrt'> = {
  saves: { outputs: [0] },
  vjp: (ctx) => {
    const y = ctx.output(0)
    return [() => mul(ctx.g, mul(mul(y, mul(y, y)), -0.5))]
  },
}
