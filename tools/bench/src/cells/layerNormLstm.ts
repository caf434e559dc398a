import {
  add,
  concat,
  defineCell,
  layer,
  mul,
  param,
  reduceMean,
  rsqrt,
  sigmoid,
  sub,
  tanh,
  type Value,
} from '@cellgraph/graph'

/** (z − mean) / sqrt(var + ε) · γ + β over the feature axis, with learned γ and β of size `hidden`. */
function layerNorm(name: string, z: Value, hidden: number): Value {
  const centred = sub(z, reduceMean(z))
  const variance = reduceMean(mul(centred, centred))
  const gain = param(`${name}.gain`, [hidden])
  const shift = param(`${name}.shift`, [hidden])
  return add(mul(mul(centred, rsqrt(add(variance, 1e-5))), gain), shift)
}

/**
 * The benchmark's custom cell: an LSTM whose gate pre-activations and cell state are
 * layer-normalised (Ba, Kiros & Hinton, 2016). It has the LSTM's four products but twice the
 * pointwise work and per-row reductions, so it measures how well a compiler fuses what no
 * hand-written LSTM kernel covers.
 */
export const layerNormLstm = defineCell(
  'layer_norm_lstm',
  { state: ['h', 'c'] },
  ({ x, h, c }, { hidden }) => {
    const hx = concat(h!, x).as('hx')
    const gate = (name: string) =>
      layerNorm(`${name}_ln`, layer(name, hx, hidden, 'identity', { biases: 0 }), hidden)
    const i = sigmoid(gate('i'))
    const f = sigmoid(gate('f'))
    const g = tanh(gate('g'))
    const o = sigmoid(gate('o'))
    const c2 = add(mul(f, c!), mul(i, g))
    const h2 = mul(o, tanh(layerNorm('c_ln', c2, hidden)))
    return { state: { h: h2, c: c2 }, output: h2 }
  },
)
