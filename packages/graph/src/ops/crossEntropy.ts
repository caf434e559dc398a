import type { OpDef } from './def.js'
import { fail } from './def.js'
import { features, sameRowLayout } from './rows.js'

/**
 * Per-row softmax cross-entropy from logits, computed stably: logsumexp(x) − x[target].
 * `target` holds class indices as numbers, one per row ([B,1] or [T,B,1]); not differentiable.
 */
export const crossEntropy: OpDef<'crossEntropy'> = {
  name: 'crossEntropy',
  kind: 'loss',
  arity: [2, 2],
  attrs: {},
  summary: 'logsumexp(logits) − logits[target], per row',
  infer: ([logits, target]) => {
    features(logits!, 'crossEntropy logits')
    sameRowLayout(logits!, target!, 'crossEntropy')
    if (features(target!, 'crossEntropy target') !== 1)
      fail('crossEntropy target must hold one class index per row')
    return [{ layout: logits!.layout, shape: [1] }]
  },
}
