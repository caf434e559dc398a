import type { OpDef } from './def.js'
import { lastAxis, withLastAxis } from './lastAxis.js'

export const reduceSum: OpDef<'reduceSum'> = {
  name: 'reduceSum',
  kind: 'reduction',
  arity: [1, 1],
  attrs: {},
  summary: 'sum over the last (feature) axis, keeping it with size 1',
  infer: ([x]) => {
    lastAxis(x!, 'reduceSum input')
    return [withLastAxis(x!, 1)]
  },
}
