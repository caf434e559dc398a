import type { OpDef } from './def.js'
import { declaredType } from './leaf.js'

export const state: OpDef<'state'> = {
  name: 'state',
  kind: 'leaf',
  arity: [0, 0],
  attrs: { name: 'string', type: 'valueType' },
  summary: 'recurrent state carried from one step to the next (a scan carry)',
  infer: (_, { type }) => declaredType(type, ['tensor', 'batch'], 'state'),
}
