/**
 * The built-in cells written in the DSL, as starting points in the editor. A test checks that each
 * one traces to exactly the graph of the built-in cell of the same name.
 */
export const dslTemplates: Readonly<Record<string, string>> = {
  lstm: `// LSTM: gates i, f, g, o over [h, x]; c' = f*c + i*g; h' = o*tanh(c')
defineCell('lstm', { state: ['h', 'c'] }, ({ x, h, c }, { hidden }) => {
  const hx = concat(h, x).as('hx')
  const i = layer('i', hx, hidden, sigmoid, { biases: 2 })
  const f = layer('f', hx, hidden, sigmoid, { biases: 2 })
  const g = layer('g', hx, hidden, tanh, { biases: 2 })
  const o = layer('o', hx, hidden, sigmoid, { biases: 2 })
  const c2 = add(mul(f, c), mul(i, g))
  const h2 = mul(o, tanh(c2))
  return { state: { h: h2, c: c2 }, output: h2 }
})
`,
  gru: `// GRU as PyTorch's nn.GRU: n = tanh(W_in·x + b_in + r*(W_hn·h + b_hn)); h' = (1-z)*n + z*h
defineCell('gru', { state: ['h'] }, ({ x, h }, { hidden }) => {
  const hx = concat(h, x).as('hx')
  const r = layer('r', hx, hidden, sigmoid, { biases: 2 })
  const z = layer('z', hx, hidden, sigmoid, { biases: 2 })
  const n = tanh(add(layer('n_x', x, hidden), mul(r, layer('n_h', h, hidden)))).as('n')
  const h2 = add(mul(oneMinus(z), n), mul(z, h))
  return { state: { h: h2 }, output: h2 }
})
`,
  rnn: `// Vanilla RNN: h' = tanh(W·[h, x] + b + b2)
defineCell('rnn', { state: ['h'] }, ({ x, h }, { hidden }) => {
  const h2 = layer('rnn', concat(h, x), hidden, tanh, { biases: 2 })
  return { state: { h: h2 }, output: h2 }
})
`,
  peephole_lstm: `// Peephole LSTM: the gates also see the cell state through per-unit weights p_i, p_f, p_o
defineCell('peephole_lstm', { state: ['h', 'c'] }, ({ x, h, c }, { hidden }) => {
  const hx = concat(h, x).as('hx')
  const pI = param('p_i', [hidden])
  const pF = param('p_f', [hidden])
  const pO = param('p_o', [hidden])
  const i = sigmoid(add(layer('i', hx, hidden), mul(pI, c)))
  const f = sigmoid(add(layer('f', hx, hidden), mul(pF, c)))
  const g = layer('g', hx, hidden, tanh)
  const c2 = add(mul(f, c), mul(i, g))
  const o = sigmoid(add(layer('o', hx, hidden), mul(pO, c2)))
  const h2 = mul(o, tanh(c2))
  return { state: { h: h2, c: c2 }, output: h2 }
})
`,
  coupled_lstm: `// Coupled-gate LSTM: the forget gate also decides what to write, c' = f*c + (1-f)*g
defineCell('coupled_lstm', { state: ['h', 'c'] }, ({ x, h, c }, { hidden }) => {
  const hx = concat(h, x).as('hx')
  const f = layer('f', hx, hidden, sigmoid)
  const g = layer('g', hx, hidden, tanh)
  const o = layer('o', hx, hidden, sigmoid)
  const c2 = add(mul(f, c), mul(oneMinus(f), g))
  const h2 = mul(o, tanh(c2))
  return { state: { h: h2, c: c2 }, output: h2 }
})
`,
  seed_gru: `// The seed's GRU: g = tanh(W·[r*h, x]); h' = (1-z)*h + z*g
defineCell('seed_gru', { state: ['h'] }, ({ x, h }, { hidden }) => {
  const hx = concat(h, x).as('hx')
  const z = layer('z', hx, hidden, sigmoid)
  const r = layer('r', hx, hidden, sigmoid)
  const g = layer('g', concat(mul(r, h), x), hidden, tanh)
  const h2 = add(mul(oneMinus(z), h), mul(z, g))
  return { state: { h: h2 }, output: h2 }
})
`,
}
