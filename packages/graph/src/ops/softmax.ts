import type { OpDef } from './def.js'
import { lastAxis } from './lastAxis.js'

export const softmax: OpDef<'softmax'> = {
  name: 'softmax',
  kind: 'reduction',
  arity: [1, 1],
  attrs: {},
  summary: 'softmax over the last (feature) axis, computed stably',
  infer: ([x]) => {
    lastAxis(x!, 'softmax input')
    return [x!]
  },
}
