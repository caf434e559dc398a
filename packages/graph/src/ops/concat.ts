import { formatType } from '../types.js'
import type { OpDef } from './def.js'
import { fail } from './def.js'
import { lastAxis, withLastAxis } from './lastAxis.js'

/** Concatenation along the last (feature) axis: merging lines in a cell diagram. */
export const concat: OpDef<'concat'> = {
  name: 'concat',
  kind: 'structural',
  arity: [1, Number.POSITIVE_INFINITY],
  attrs: {},
  summary: 'concatenation along the feature axis',
  infer: (inputs) => {
    const first = inputs[0]!
    let size = 0
    for (const t of inputs) {
      const lead = (s: readonly number[]) => s.slice(0, -1).join(',')
      if (
        t.layout !== first.layout ||
        t.shape.length !== first.shape.length ||
        lead(t.shape) !== lead(first.shape)
      )
        fail(`cannot concatenate ${formatType(first)} with ${formatType(t)}`)
      size += lastAxis(t, 'concat input')
    }
    return [withLastAxis(first, size)]
  },
}
