import { mul, reduceSum, softmax as softmaxOf, sub, type Value } from '@cellgraph/graph'
import { broadcastLike, crossEntropyGrad as crossEntropyGradOf, spreadLastAxis } from '../emit.js'
import type { VjpRule } from '../rule.js'

/** The softmax Jacobian applied to u: s·(u − Σ u·s), per row. */
const softmaxVjp = (s: Value, u: Value): Value => mul(s, sub(u, spreadLastAxis(reduceSum(mul(u, s)), s.type)))

export const softmax: VjpRule<'softmax'> = {
  saves: { outputs: [0] },
  vjp: (ctx) => [() => softmaxVjp(ctx.output(0), ctx.g)],
}

/** The logits' cotangent is crossEntropyGrad; the class indices get none. */
export const crossEntropy: VjpRule<'crossEntropy'> = {
  saves: { inputs: [0, 1] },
  vjp: (ctx) => [() => crossEntropyGradOf(ctx.input(0), ctx.input(1), ctx.g), undefined],
}

/**
 * y = (softmax(l) − onehot(t))·g per row, so dl = g·softmaxᵀ(u) and dg = Σ u·(softmax(l) − onehot(t)).
 * Needed for second derivatives, e.g. a gradient penalty.
 */
export const crossEntropyGrad: VjpRule<'crossEntropyGrad'> = {
  saves: { inputs: [0, 1, 2] },
  vjp: (ctx) => {
    const u = ctx.g
    return [
      () => mul(ctx.input(2), softmaxVjp(softmaxOf(ctx.input(0)), u)),
      undefined,
      () => {
        const ones = broadcastLike(u.builder.constant(1), ctx.like(2))
        return reduceSum(mul(u, crossEntropyGradOf(ctx.input(0), ctx.input(1), ones)))
      },
    ]
  },
}
