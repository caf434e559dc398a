import { broadcastTypes } from './broadcast.js'
import type { OpDef } from './def.js'
import { fail } from './def.js'

export const clamp: OpDef<'clamp'> = {
  name: 'clamp',
  kind: 'pointwise',
  arity: [1, 1],
  attrs: { min: 'number', max: 'number' },
  summary: 'min(max(x, min), max)',
  // as `where`s rather than min(max(…)), so that a NaN stays NaN, as in the reference
  composition: ({ min, max }) => {
    const x = { input: 0 }
    const below = {
      op: 'where',
      args: [{ op: 'greater', args: [{ constant: min }, x] }, { constant: min }, x],
    } as const
    return { op: 'where', args: [{ op: 'greater', args: [x, { constant: max }] }, { constant: max }, below] }
  },
  infer: (inputs, { min, max }) =>
    min <= max ? [broadcastTypes(inputs)] : fail(`clamp min ${min} exceeds max ${max}`),
}
