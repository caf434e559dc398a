import { formatType } from '../types.js'
import type { OpDef } from './def.js'
import { fail } from './def.js'
import { tensorShape } from './rows.js'

/**
 * a·b (or a·bᵀ with transposeB). a is a row value [.., K] or a tensor [M, K]; b is a tensor
 * [K, N] (or [N, K] transposed). Row values multiply row by row.
 */
export const matmul: OpDef<'matmul'> = {
  name: 'matmul',
  kind: 'contraction',
  arity: [2, 2],
  attrs: { transposeB: 'boolean' },
  summary: 'a·b or a·bᵀ; a rows [K] or tensor [M,K], b tensor',
  infer: ([a, b], { transposeB }) => {
    const [r0, r1] = tensorShape(b!, 2, 'matmul b')
    const [k, n] = transposeB ? [r1!, r0!] : [r0!, r1!]
    if (a!.layout === 'tensor') {
      const [m, ka] = tensorShape(a!, 2, 'matmul a')
      if (ka !== k) fail(`inner sizes differ: ${formatType(a!)} · ${formatType(b!)}${transposeB ? 'ᵀ' : ''}`)
      return [{ layout: 'tensor', shape: [m!, n] }]
    }
    if (a!.shape[0] !== k)
      fail(`inner sizes differ: ${formatType(a!)} · ${formatType(b!)}${transposeB ? 'ᵀ' : ''}`)
    return [{ layout: a!.layout, shape: [n] }]
  },
}
