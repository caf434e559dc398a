import { defineCell, layerBiases } from '../dsl/cell.js'
import { concat, layer, tanh } from '../dsl/ops.js'
import { gateLayout } from './torchLayout.js'

/** Vanilla RNN, h' = tanh(W·[h, x] + b), as PyTorch's nn.RNN (tanh). */
export const rnn = defineCell(
  'rnn',
  { state: ['h'], torch: (s) => gateLayout(['rnn'], s) },
  ({ x, h }, sizes) => {
    const { hidden } = sizes
    const biases = layerBiases(sizes, 2)
    const h2 = layer('rnn', concat(h, x), hidden, tanh, { biases })
    return { state: { h: h2 }, output: h2 }
  },
)
