import { add, concat, defineCell, layer, mul, oneMinus, sigmoid, tanh } from '@cellgraph/graph'
import { Rng, recurrentModel } from '@cellgraph/train'

// A custom gated cell: h' = z·h + (1 − z)·tanh(W[h, x] + b)
const gated = defineCell('gated', { state: ['h'] }, ({ x, h }, { hidden }) => {
  const z = layer('z', concat(h, x), hidden, sigmoid)
  const h2 = add(mul(z, h), mul(oneMinus(z), layer('c', concat(h, x), hidden, tanh)))
  return { state: { h: h2 }, output: h2 }
})
// The task: does a sequence of ±1 (3 to 8 steps long) hold more +1 than −1?
const rng = new Rng(1)
const data = Array.from({ length: 300 }, () => {
  const x = Array.from({ length: 3 + Math.floor(rng.next() * 6) }, () => [rng.next() < 0.5 ? -1 : 1])
  return { x, y: x.reduce((sum, [v]) => sum + v!, 0) > 0 ? 1 : 0 }
})
const model = await recurrentModel({ cell: gated, inputSize: 1, hidden: 16, task: 'classification', outputs: 2 })
const history = await model.fit(data.slice(0, 240), { epochs: 15, batchSize: 16, lr: 0.02, validation: data.slice(240) })
export const accuracy = history.epochs.at(-1)!.validation!.accuracy!
console.log(`validation accuracy ${accuracy.toFixed(3)}`)
