import { gradcheck, mseLoss, valueAndGrad, withLoss } from '@cellgraph/autodiff'
import { add, concat, defineCell, layer, mul, oneMinus, param, sequenceGraph, sigmoid, tanh, tensor } from '@cellgraph/graph'

// A gated unit with a learned per-unit leak: h' = (1-z)*h + z*tanh(W_g·[h,x] + b_g) + p*h
const leaky = defineCell('leaky_gate', { state: ['h'] }, ({ x, h }, { hidden }) => {
  const hx = concat(h, x)
  const z = layer('z', hx, hidden, sigmoid)
  const h2 = add(add(mul(oneMinus(z), h), mul(z, layer('g', hx, hidden, tanh))), mul(param('leak', [hidden]), h))
  return { state: { h: h2 }, output: h2 }
})
const model = withLoss(sequenceGraph([leaky({ input: 2, hidden: 3 })]), ({ y }, b) =>
  mseLoss(y!, b.leaf('input', 'target', { name: 'target', type: y!.type })))   // loss = mean((y - target)²)
const wave = (...dims: number[]) => tensor(dims, Array.from({ length: dims.reduce((a, b) => a * b) }, (_, i) => Math.sin(i) / 2))
const inputs = { x: wave(5, 1, 2), target: wave(5, 1, 3), 'l0.h0': wave(1, 3), 'l0.z.W': wave(3, 5), 'l0.z.b': wave(3),
  'l0.g.W': wave(3, 5), 'l0.g.b': wave(3), 'l0.leak': wave(3) }
export const { value, grads } = valueAndGrad(model, inputs, { loss: 'loss' }) // BPTT on the reference interpreter
console.log(value, grads['l0.leak'])                                     // the loss and d loss / d leak [3]
export const check = gradcheck(model, inputs, { loss: 'loss', wrt: ['l0.leak', 'x', 'l0.h0'] })
console.log(check['l0.leak']!.error)                                   // worst relative error vs central differences
