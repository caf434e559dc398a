import { defineCell, layerBiases } from '../dsl/cell.js'
import { add, concat, layer, mul, param, sigmoid, tanh } from '../dsl/ops.js'

/**
 * Peephole LSTM (Gers & Schmidhuber, 2000): per-unit peephole weights on c for the i and f gates
 * and on c' for o (ONNX's P = [p_i, p_o, p_f]). Parameters: i, f, g, o layers and p_i, p_f, p_o.
 */
export const peepholeLstm = defineCell('peephole_lstm', { state: ['h', 'c'] }, ({ x, h, c }, sizes) => {
  const { hidden } = sizes
  const biases = layerBiases(sizes)
  const hx = concat(h, x).as('hx')
  const pI = param('p_i', [hidden])
  const pF = param('p_f', [hidden])
  const pO = param('p_o', [hidden])
  const i = sigmoid(add(layer('i', hx, hidden, 'identity', { biases }), mul(pI, c)))
  const f = sigmoid(add(layer('f', hx, hidden, 'identity', { biases }), mul(pF, c)))
  const g = layer('g', hx, hidden, tanh, { biases })
  const c2 = add(mul(f, c), mul(i, g))
  const o = sigmoid(add(layer('o', hx, hidden, 'identity', { biases }), mul(pO, c2)))
  const h2 = mul(o, tanh(c2))
  return { state: { h: h2, c: c2 }, output: h2 }
})
