import type { OpDef } from './def.js'
import { declaredType } from './leaf.js'

export const param: OpDef<'param'> = {
  name: 'param',
  kind: 'leaf',
  arity: [0, 0],
  attrs: { name: 'string', shape: 'shape' },
  summary: 'a learned parameter tensor',
  infer: (_, { shape }) => declaredType({ layout: 'tensor', shape }, ['tensor'], 'param'),
}
