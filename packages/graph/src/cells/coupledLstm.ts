import { defineCell, layerBiases } from '../dsl/cell.js'
import { add, concat, layer, mul, oneMinus, sigmoid, tanh } from '../dsl/ops.js'

/** Coupled-gate LSTM: the forget gate also decides what to write, c' = f*c + (1-f)*g. */
export const coupledLstm = defineCell('coupled_lstm', { state: ['h', 'c'] }, ({ x, h, c }, sizes) => {
  const { hidden } = sizes
  const biases = layerBiases(sizes)
  const hx = concat(h, x).as('hx')
  const f = layer('f', hx, hidden, sigmoid, { biases })
  const g = layer('g', hx, hidden, tanh, { biases })
  const o = layer('o', hx, hidden, sigmoid, { biases })
  const c2 = add(mul(f, c), mul(oneMinus(f), g))
  const h2 = mul(o, tanh(c2))
  return { state: { h: h2, c: c2 }, output: h2 }
})
