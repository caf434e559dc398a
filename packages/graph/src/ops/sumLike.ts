import { formatType, sameType } from '../types.js'
import { broadcastTypes } from './broadcast.js'
import type { OpDef } from './def.js'
import { fail } from './def.js'

/** x summed down to the type of `like` (which broadcasts to x). The adjoint of broadcastLike. */
export const sumLike: OpDef<'sumLike'> = {
  name: 'sumLike',
  kind: 'reduction',
  arity: [2, 2],
  attrs: {},
  summary: 'x summed over the axes that like broadcasts along',
  infer: ([x, like]) => {
    if (!sameType(broadcastTypes([like!, x!]), x!))
      fail(`${formatType(like!)} does not broadcast to ${formatType(x!)}`)
    return [like!]
  },
}
