import type { OpDef } from './def.js'
import { fail } from './def.js'
import { lastAxis, withLastAxis } from './lastAxis.js'

/** Zeros before and after along the last axis: the adjoint of slice. */
export const pad: OpDef<'pad'> = {
  name: 'pad',
  kind: 'structural',
  arity: [1, 1],
  attrs: { before: 'integer', after: 'integer' },
  summary: 'zero padding of the last axis',
  infer: ([x], { before, after }) => {
    if (before < 0 || after < 0) fail(`padding must not be negative, got before ${before}, after ${after}`)
    return [withLastAxis(x!, lastAxis(x!, 'pad input') + before + after)]
  },
}
