import { defineCell, layerBiases } from '../dsl/cell.js'
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
      // n's x and h parts are separate layers: each tensor ends with one of their parameters.
      const nPart: Readonly<Record<string, string>> = {
        weight_ih: 'n_x.W',
        weight_hh: 'n_h.W',
        bias_ih: 'n_x.b',
        bias_hh: 'n_h.b',
      }
      return gateLayout(['r', 'z'], s).map((t) => ({
        ...t,
        blocks: [...t.blocks, { param: nPart[t.name]! }],
      }))
    },
  },
  ({ x, h }, sizes) => {
    const { hidden } = sizes
    const biases = layerBiases(sizes, 2)
    const nBiases = layerBiases(sizes) // n_x.b is bias_ih's n part, n_h.b bias_hh's
    const hx = concat(h, x).as('hx')
    const r = layer('r', hx, hidden, sigmoid, { biases })
    const z = layer('z', hx, hidden, sigmoid, { biases })
    const n = tanh(
      add(
        layer('n_x', x, hidden, 'identity', { biases: nBiases }),
        mul(r, layer('n_h', h, hidden, 'identity', { biases: nBiases })),
      ),
    ).as('n')
    const h2 = add(mul(oneMinus(z), n), mul(z, h))
    return { state: { h: h2 }, output: h2 }
  },
)
