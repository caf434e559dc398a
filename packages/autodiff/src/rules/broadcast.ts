import { broadcastLike as spread, unbroadcast } from '../emit.js'
import type { VjpRule } from '../rule.js'

/** broadcastLike and sumLike are each other's adjoints; `like` contributes only its type. */
export const broadcastLike: VjpRule<'broadcastLike'> = {
  saves: {},
  vjp: (ctx) => [() => unbroadcast(ctx.g, ctx.inputTypes[0]!, () => ctx.like(0)), undefined],
}

export const sumLike: VjpRule<'sumLike'> = {
  saves: {},
  vjp: (ctx) => [() => spread(ctx.g, ctx.like(0)), undefined],
}
