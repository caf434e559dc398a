import { add, concat, defineCell, layer, layerBiases, mul, oneMinus, sigmoid, tanh } from '@cellgraph/graph'

/**
 * ONNX's default GRU (`linear_before_reset=0`, Cho et al.'s form): the reset gate scales h before
 * the candidate's product, n = tanh(W_n·[r*h, x] + b + b2); h' = (1−z)*n + z*h. PyTorch's GRU (the
 * built-in `gru`) resets after it, as `linear_before_reset=1`.
 */
export const onnxGru = defineCell('onnx_gru', { state: ['h'] }, ({ x, h }, sizes) => {
  const { hidden } = sizes
  const biases = layerBiases(sizes, 2)
  const hx = concat(h, x).as('hx')
  const z = layer('z', hx, hidden, sigmoid, { biases })
  const r = layer('r', hx, hidden, sigmoid, { biases })
  const n = layer('n', concat(mul(r, h), x), hidden, tanh, { biases })
  const h2 = add(mul(oneMinus(z), n), mul(z, h))
  return { state: { h: h2 }, output: h2 }
})
