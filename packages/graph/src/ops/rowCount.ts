import type { OpDef } from './def.js'
import { features } from './rows.js'

export const rowCount: OpDef<'rowCount'> = {
  name: 'rowCount',
  kind: 'reduction',
  arity: [1, 1],
  attrs: {},
  summary: 'the number of rows (B, or T·B) as a scalar; not differentiable',
  infer: ([x]) => {
    features(x!, 'rowCount input')
    return [{ layout: 'tensor', shape: [] }]
  },
}
