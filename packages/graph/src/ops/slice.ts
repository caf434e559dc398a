import { formatType } from '../types.js'
import type { OpDef } from './def.js'
import { fail } from './def.js'
import { lastAxis, withLastAxis } from './lastAxis.js'

/** Features [start, end) of the last axis. */
export const slice: OpDef<'slice'> = {
  name: 'slice',
  kind: 'structural',
  arity: [1, 1],
  attrs: { start: 'integer', end: 'integer' },
  summary: 'features [start, end) of the last axis',
  infer: ([x], { start, end }) => {
    const size = lastAxis(x!, 'slice input')
    if (!(start >= 0 && start < end && end <= size))
      fail(`slice [${start}, ${end}) is outside ${formatType(x!)}`)
    return [withLastAxis(x!, end - start)]
  },
}
