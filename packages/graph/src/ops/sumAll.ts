import type { OpDef } from './def.js'

export const sumAll: OpDef<'sumAll'> = {
  name: 'sumAll',
  kind: 'reduction',
  arity: [1, 1],
  attrs: {},
  summary: 'sum of every element: a scalar',
  infer: () => [{ layout: 'tensor', shape: [] }],
}
