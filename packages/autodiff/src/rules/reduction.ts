import { div, greater, mul, oneMinus } from '@cellgraph/graph'
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
  vjp: (ctx) => [() => broadcastLike(spreadLastAxis(ctx.g, ctx.inputTypes[0]!, 'reduceSum'), ctx.like(0))],
}

export const reduceMean: VjpRule<'reduceMean'> = {
  saves: {},
  vjp: (ctx) => {
    const x = ctx.inputTypes[0]!
    const scaled = () => div(spreadLastAxis(ctx.g, x, 'reduceMean'), x.shape.at(-1)!)
    return [() => broadcastLike(scaled(), ctx.like(0))]
  },
}

/** The cotangent goes to every element equal to the maximum (all of them on a tie). */
export const reduceMax: VjpRule<'reduceMax'> = {
  saves: { inputs: [0], outputs: [0] },
  vjp: (ctx) => {
    const x = ctx.inputTypes[0]!
    return [
      () => {
        const y = spreadLastAxis(ctx.output(0), x, 'reduceMax')
        const isMax = oneMinus(greater(y, ctx.input(0)))
        return mul(isMax, spreadLastAxis(ctx.g, x, 'reduceMax'))
      },
    ]
  },
}
