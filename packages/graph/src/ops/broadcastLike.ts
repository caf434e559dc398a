import { formatType, sameType } from '../types.js'
import { broadcastTypes } from './broadcast.js'
import type { OpDef } from './def.js'
import { fail } from './def.js'

/** x broadcast to the type of `like` (whose values are not read). The adjoint of sumLike. */
export const broadcastLike: OpDef<'broadcastLike'> = {
  name: 'broadcastLike',
  kind: 'structural',
  arity: [2, 2],
  attrs: {},
  summary: 'x broadcast to the type of like',
  infer: ([x, like]) => {
    if (!sameType(broadcastTypes([like!, x!]), like!))
      fail(`${formatType(x!)} does not broadcast to ${formatType(like!)}`)
    return [like!]
  },
}
