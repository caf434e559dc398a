import type { OpDef } from './def.js'
import { lastAxis, withLastAxis } from './lastAxis.js'

export const reduceMax: OpDef<'reduceMax'> = {
  name: 'reduceMax',
  kind: 'reduction',
  arity: [1, 1],
  attrs: {},
  summary: 'max over the last (feature) axis, keeping it with size 1',
  infer: ([x]) => {
    lastAxis(x!, 'reduceMax input')
    return [withLastAxis(x!, 1)]
  },
}
