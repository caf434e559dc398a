import { add, cellFromJson, cellToJson, concat, defineCell, evaluate, layer, mul, oneMinus, param, printGraph, sequenceGraph, sigmoid, tanh, tensor } from '@cellgraph/graph'

// A gated unit with a learned per-unit leak: h' = (1-z)*h + z*tanh(W_g·[h,x] + b_g) + p*h
const leaky = defineCell('leaky_gate', { state: ['h'] }, ({ x, h }, { hidden }) => {
  const hx = concat(h, x)
  const z = layer('z', hx, hidden, sigmoid)
  const h2 = add(add(mul(oneMinus(z), h), mul(z, layer('g', hx, hidden, tanh))), mul(param('leak', [hidden]), h))
  return { state: { h: h2 }, output: h2 }
})
const cell = cellFromJson(cellToJson(leaky({ input: 2, hidden: 3 }))) // save as JSON, load it back
console.log(printGraph(cell.graph, cell.name))
export const out = evaluate(sequenceGraph([cell]), {                  // a scan over the time axis
  x: tensor([4, 1, 2], [1, 0, 0, 1, 1, 1, -1, 0]),                    // [T, B, input], time-major
  'l0.h0': tensor([1, 3]),                                            // initial state [B, hidden]
  'l0.z.W': tensor([3, 5], Array(15).fill(0.1)), 'l0.z.b': tensor([3]),
  'l0.g.W': tensor([3, 5], Array(15).fill(-0.2)), 'l0.g.b': tensor([3], [0.1, 0.2, 0.3]),
  'l0.leak': tensor([3], [0.01, 0.02, 0.03]),
})
console.log(out.y!.dims) // [4, 1, 3]: h at every step
