import {
  add,
  concat,
  defineCell,
  layer,
  mul,
  oneMinus,
  reduceMean,
  rsqrt,
  sigmoid,
  sub,
  tanh,
} from '@cellgraph/graph'

/** x passes through its own layer before it meets h. */
export const embeddedInput = defineCell('embedded_input', { state: ['h'] }, ({ x, h }, { hidden }) => {
  const e = layer('embed', x, hidden, tanh)
  const h2 = layer('mix', concat(h!, e), hidden, tanh)
  return { state: { h: h2 }, output: h2 }
})

/** x passes through pointwise ops before it meets h. */
export const squashedInput = defineCell('squashed_input', { state: ['h'] }, ({ x, h }, { hidden }) => {
  const xs = mul(tanh(x), sigmoid(x))
  const h2 = layer('mix', concat(h!, xs), hidden, tanh)
  return { state: { h: h2 }, output: h2 }
})

/** Two concatenations: one over [h, x], one over [x, a gate of h]. */
export const twoConcats = defineCell('two_concats', { state: ['h', 'c'] }, ({ x, h, c }, { hidden }) => {
  const z = layer('z', concat(h!, x), hidden, sigmoid)
  const u = layer('u', concat(x, mul(z, c!)), hidden, tanh)
  const c2 = add(mul(oneMinus(z), c!), mul(z, u))
  const h2 = tanh(add(c2, h!))
  return { state: { h: h2, c: c2 }, output: h2 }
})

/** A recurrence through one layer norm: two row means, each consumed by elementwise work. */
export const layerNormed = defineCell('layer_normed', { state: ['h'] }, ({ x, h }, { hidden }) => {
  const z = layer('z', concat(h!, x), hidden, 'identity', { biases: 0 })
  const centred = sub(z, reduceMean(z))
  const h2 = tanh(mul(centred, rsqrt(add(reduceMean(mul(centred, centred)), 1e-5))))
  return { state: { h: h2 }, output: h2 }
})
