import { greater, matmul, mul, oneMinus, sumRows, type Value } from '@cellgraph/graph'
import { outerSum } from '../emit.js'
import { once, type VjpContext, type VjpRule } from '../rule.js'

/** δ = g · act'(z), with act' written in terms of the saved output y. */
function preActivation(ctx: VjpContext<'layer'>): Value {
  const { g } = ctx
  const y = () => ctx.output(0)
  switch (ctx.attrs.activation) {
    case 'identity':
      return g
    case 'sigmoid':
      return mul(g, mul(y(), oneMinus(y())))
    case 'tanh':
      return mul(g, oneMinus(mul(y(), y())))
    case 'relu':
      return mul(g, greater(y(), 0))
  }
}

/**
 * y = act(x·Wᵀ + b [+ b2]): dx = δ·W, dW = Σ_rows δᵀ·x (an outerSum, which a compiler can turn
 * into one product over all time steps), db = Σ_rows δ.
 */
export const layer: VjpRule<'layer'> = {
  saves: ({ activation }) => ({ inputs: [0, 1], outputs: activation === 'identity' ? [] : [0] }),
  vjp: (ctx) => {
    const delta = once(() => preActivation(ctx))
    const biasGrad = once(() => sumRows(delta()))
    return ctx.inputTypes.map((_, i) => {
      if (i === 0) return () => matmul(delta(), ctx.input(1), false)
      if (i === 1) return () => outerSum(delta(), ctx.input(0))
      return biasGrad
    })
  },
}
