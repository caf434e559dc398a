import { div, greater, mul, oneMinus, reduceSum as sumLastAxis } from '@cellgraph/graph'
import { broadcastLike, spreadLastAxis } from '../emit.js'
import type { VjpRule } from '../rule.js'

/** Sums push their cotangent back by broadcasting it over what they summed. */
export const sumRows: VjpRule<'sumRows'> = {
  saves: {},
  vjp: (ctx) => [() => broadcastLike(ctx.g, ctx.like(0))],
}

export const sumAll: VjpRule<'sumAll'> = {
  saves: {},
  vjp: (ctx) => [() => broadcastLike(ctx.g, ctx.like(0))],
}

/** The number of rows does not vary with the values: no cotangent. */
export const rowCount: VjpRule<'rowCount'> = { saves: {}, vjp: () => [undefined] }

export const reduceSum: VjpRule<'reduceSum'> = {
  saves: {},
  vjp: (ctx) => [() => broadcastLike(spreadLastAxis(ctx.g, ctx.inputTypes[0]!), ctx.like(0))],
}

export const reduceMean: VjpRule<'reduceMean'> = {
  saves: {},
  vjp: (ctx) => {
    const x = ctx.inputTypes[0]!
    const scaled = () => div(spreadLastAxis(ctx.g, x), x.shape.at(-1)!)
    return [() => broadcastLike(scaled(), ctx.like(0))]
  },
}

/**
 * The cotangent goes to the elements equal to the maximum, split evenly on a tie (what central
 * differences measure there).
 */
export const reduceMax: VjpRule<'reduceMax'> = {
  saves: { inputs: [0], outputs: [0] },
  vjp: (ctx) => {
    const x = ctx.inputTypes[0]!
    return [
      () => {
        const y = spreadLastAxis(ctx.output(0), x)
        const isMax = oneMinus(greater(y, ctx.input(0)))
        const share = div(ctx.g, sumLastAxis(isMax))
        return mul(isMax, spreadLastAxis(share, x))
      },
    ]
  },
}
