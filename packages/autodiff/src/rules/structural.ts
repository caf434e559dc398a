import { slice as sliceOf } from '@cellgraph/graph'
import { pad as padOf } from '../emit.js'
import type { VjpRule } from '../rule.js'

const lastAxis = (shape: readonly number[]) => shape.at(-1)!

/** Each part of a concatenation gets its slice of the cotangent. */
export const concat: VjpRule<'concat'> = {
  saves: {},
  vjp: (ctx) => {
    let start = 0
    return ctx.inputTypes.map((t) => {
      const from = start
      const to = (start += lastAxis(t.shape))
      return () => sliceOf(ctx.g, from, to)
    })
  },
}

export const slice: VjpRule<'slice'> = {
  saves: {},
  vjp: (ctx) => {
    const { start, end } = ctx.attrs
    return [() => padOf(ctx.g, start, lastAxis(ctx.inputTypes[0]!.shape) - end)]
  },
}

export const pad: VjpRule<'pad'> = {
  saves: {},
  vjp: (ctx) => {
    const { before } = ctx.attrs
    return [() => sliceOf(ctx.g, before, before + lastAxis(ctx.inputTypes[0]!.shape))]
  },
}
