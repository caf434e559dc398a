import type { OpDef } from './def.js'
import { features, sameRowLayout } from './rows.js'

/** Σ over rows of aᵀ·b: [M, N] from row values a [M] and b [N]; a weight gradient in one product. */
export const outerSum: OpDef<'outerSum'> = {
  name: 'outerSum',
  kind: 'contraction',
  arity: [2, 2],
  attrs: {},
  summary: 'Σ_rows aᵀ·b, a tensor [M,N]',
  infer: ([a, b]) => {
    sameRowLayout(a!, b!, 'outerSum')
    return [{ layout: 'tensor', shape: [features(a!, 'outerSum a'), features(b!, 'outerSum b')] }]
  },
}
