import { defineCell, layerBiases } from '../dsl/cell.js'
import { add, concat, layer, mul, sigmoid, tanh } from '../dsl/ops.js'
import { gateLayout } from './torchLayout.js'

/** LSTM as PyTorch's nn.LSTM: gates i, f, g, o over [h, x], each with bias_ih and bias_hh. */
export const lstm = defineCell(
  'lstm',
  { state: ['h', 'c'], torch: (s) => gateLayout(['i', 'f', 'g', 'o'], s) },
  ({ x, h, c }, sizes) => {
    const { hidden } = sizes
    const biases = layerBiases(sizes, 2)
    const hx = concat(h, x).as('hx')
    const i = layer('i', hx, hidden, sigmoid, { biases })
    const f = layer('f', hx, hidden, sigmoid, { biases })
    const g = layer('g', hx, hidden, tanh, { biases })
    const o = layer('o', hx, hidden, sigmoid, { biases })
    const c2 = add(mul(f, c), mul(i, g))
    const h2 = mul(o, tanh(c2))
    return { state: { h: h2, c: c2 }, output: h2 }
  },
)
