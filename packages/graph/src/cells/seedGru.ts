import { defineCell, layerBiases } from '../dsl/cell.js'
import { add, concat, layer, mul, oneMinus, sigmoid, tanh } from '../dsl/ops.js'

/**
 * The GRU as the seed article draws it (Chung et al., 2014): z = σ(W_z·[h,x]), r = σ(W_r·[h,x]),
 * g = tanh(W·[r*h, x]), h' = (1-z)*h + z*g. Parameters: z, r and g layers.
 */
export const seedGru = defineCell('seed_gru', { state: ['h'] }, ({ x, h }, sizes) => {
  const { hidden } = sizes
  const biases = layerBiases(sizes)
  const hx = concat(h, x).as('hx')
  const z = layer('z', hx, hidden, sigmoid, { biases })
  const r = layer('r', hx, hidden, sigmoid, { biases })
  const g = layer('g', concat(mul(r, h), x), hidden, tanh, { biases })
  const h2 = add(mul(oneMinus(z), h), mul(z, g))
  return { state: { h: h2 }, output: h2 }
})
