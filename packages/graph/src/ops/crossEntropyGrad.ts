import type { OpDef } from './def.js'
import { fail } from './def.js'
import { features, sameRowLayout } from './rows.js'

/** (softmax(logits) − onehot(target)) · g per row: the vector-Jacobian product of crossEntropy. */
export const crossEntropyGrad: OpDef<'crossEntropyGrad'> = {
  name: 'crossEntropyGrad',
  kind: 'loss',
  arity: [3, 3],
  attrs: {},
  summary: '(softmax(logits) − onehot(target))·g, per row',
  infer: ([logits, target, g]) => {
    features(logits!, 'crossEntropyGrad logits')
    sameRowLayout(logits!, target!, 'crossEntropyGrad')
    sameRowLayout(logits!, g!, 'crossEntropyGrad')
    if (features(target!, 'crossEntropyGrad target') !== 1 || features(g!, 'crossEntropyGrad g') !== 1)
      fail('crossEntropyGrad target and g must have one value per row')
    return [logits!]
  },
}
