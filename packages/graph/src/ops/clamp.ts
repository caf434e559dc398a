import { broadcastTypes } from './broadcast.js'
import type { OpDef } from './def.js'
import { fail } from './def.js'

export const clamp: OpDef<'clamp'> = {
  name: 'clamp',
  kind: 'pointwise',
  arity: [1, 1],
  attrs: { min: 'number', max: 'number' },
  summary: 'min(max(x, min), max)',
  infer: (inputs, { min, max }) =>
    min <= max ? [broadcastTypes(inputs)] : fail(`clamp min ${min} exceeds max ${max}`),
}
