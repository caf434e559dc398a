import { formatType } from '../types.js'
import type { OpDef } from './def.js'
import { fail } from './def.js'
import { features, tensorShape } from './rows.js'

/**
 * A learned layer: activation(x·Wᵀ + b [+ b2]). W is [out, in] as in PyTorch; the optional second
 * bias exists for exact interop with PyTorch's bias_ih + bias_hh.
 */
export const layer: OpDef<'layer'> = {
  name: 'layer',
  kind: 'contraction',
  arity: [2, 4],
  attrs: { activation: 'activation' },
  summary: 'activation(x·Wᵀ + b [+ b2]); inputs x, W [out,in], optional biases [out]',
  infer: ([x, w, ...biases]) => {
    const inSize = features(x!, 'layer input x')
    const [out, wIn] = tensorShape(w!, 2, 'layer weight W')
    if (wIn !== inSize)
      fail(`input x ${formatType(x!)} does not match weight W ${formatType(w!)} (W is [out, in])`)
    for (const b of biases) {
      const [n] = tensorShape(b, 1, 'layer bias')
      if (n !== out) fail(`bias ${formatType(b)} does not match weight W ${formatType(w!)}`)
    }
    return [{ layout: x!.layout, shape: [out!] }]
  },
}
