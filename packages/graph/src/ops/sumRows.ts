import type { OpDef } from './def.js'
import { features } from './rows.js'

export const sumRows: OpDef<'sumRows'> = {
  name: 'sumRows',
  kind: 'reduction',
  arity: [1, 1],
  attrs: {},
  summary: 'sum over all rows (batch, or time and batch): a tensor [F]',
  infer: ([x]) => [{ layout: 'tensor', shape: [features(x!, 'sumRows input')] }],
}
