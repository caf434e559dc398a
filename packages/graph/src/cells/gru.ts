import { defineCell } from '../dsl/cell.js'
import { add, concat, layer, mul, oneMinus, sigmoid, tanh } from '../dsl/ops.js'
import type { TorchLayout } from '../interop.js'
import { gateLayout } from './torchLayout.js'

/**
 * GRU exactly as PyTorch's nn.GRU: r and z over [h, x]; n = tanh(W_in·x + b_in + r*(W_hn·h + b_hn));
 * h' = (1-z)*n + z*h. Gate order r, z, n.
 */
export const gru = defineCell(
  'gru',
  {
    state: ['h'],
    torch: (s): TorchLayout => {
      const [wih, whh, bih, bhh] = gateLayout(['r', 'z'], s)
      return [
        { name: 'weight_ih', blocks: [...wih!.blocks, { param: 'n_x.W' }] },
        { name: 'weight_hh', blocks: [...whh!.blocks, { param: 'n_h.W' }] },
        { name: 'bias_ih', blocks: [...bih!.blocks, { param: 'n_x.b' }] },
        { name: 'bias_hh', blocks: [...bhh!.blocks, { param: 'n_h.b' }] },
      ]
    },
  },
  ({ x, h }, { hidden }) => {
    const hx = concat(h, x).as('hx')
    const r = layer('r', hx, hidden, sigmoid, { biases: 2 })
    const z = layer('z', hx, hidden, sigmoid, { biases: 2 })
    const n = tanh(add(layer('n_x', x, hidden), mul(r, layer('n_h', h, hidden)))).as('n')
    const h2 = add(mul(oneMinus(z), n), mul(z, h))
    return { state: { h: h2 }, output: h2 }
  },
)
