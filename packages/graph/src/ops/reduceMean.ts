import type { OpDef } from './def.js'
import { lastAxis, withLastAxis } from './lastAxis.js'

export const reduceMean: OpDef<'reduceMean'> = {
  name: 'reduceMean',
  kind: 'reduction',
  arity: [1, 1],
  attrs: {},
  summary: 'mean over the last (feature) axis, keeping it with size 1',
  infer: ([x]) => {
    lastAxis(x!, 'reduceMean input')
    return [withLastAxis(x!, 1)]
  },
}
