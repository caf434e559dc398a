import type { OpDef } from './def.js'
import { declaredType } from './leaf.js'

export const input: OpDef<'input'> = {
  name: 'input',
  kind: 'leaf',
  arity: [0, 0],
  attrs: { name: 'string', type: 'valueType' },
  summary: 'data fed by the caller (in a scan body: a batch input is one step of a sequence)',
  infer: (_, { type }) => declaredType(type, ['tensor', 'batch', 'seq'], 'input'),
}
