import { grad, mseLoss, withLoss } from '@cellgraph/autodiff'
import { compile, type DeviceTensor } from '@cellgraph/backends'
import { add, concat, defineCell, type Graph, GraphBuilder, layer, mul, oneMinus, sequenceGraph, sigmoid, sub, tanh } from '@cellgraph/graph'

// A custom cell: the gate z decides how much of a candidate computed from [z*h, x] to take.
const gated = defineCell('gated', { state: ['h'] }, ({ x, h }, { hidden }) => {
  const z = layer('z', concat(h, x), hidden, sigmoid)
  const c = layer('c', concat(mul(z, h), x), hidden, tanh)
  const h2 = add(mul(oneMinus(z), h), mul(z, c))
  return { state: { h: h2 }, output: h2 }
})

const [T, B, I, H] = [12, 4, 2, 6]
const model = sequenceGraph([gated({ input: I, hidden: H })])
const training = grad(
  withLoss(model, ({ y }, b) => mseLoss(y!, b.leaf('input', 'target', { name: 'target', type: y!.type }))),
  { loss: 'loss' },
)
const step = await compile(training, { backend: 'cpu' }) // forward + BPTT, compiled

// Plain SGD as an update graph, p' = p − lr·g, run `into` the parameters: updated in place.
const params = model.nodes.filter((n) => n.op === 'param').map((n) => n.attrs as { name: string; shape: number[] })
const u = new GraphBuilder()
const lr = u.leaf('input', 'lr', { name: 'lr', type: { layout: 'tensor', shape: [] } })
const tensorInput = (name: string, shape: number[]) => u.leaf('input', name, { name, type: { layout: 'tensor', shape } })
const updates = params.map((p) => ({
  name: p.name,
  value: sub(tensorInput(p.name, p.shape), mul(lr, tensorInput(`grad.${p.name}`, p.shape))),
}))
const sgd = await compile(u.build(updates) as Graph, { backend: 'cpu' })

const wave = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i))
const xs = wave(T * B * I, (i) => Math.sin(i * 0.7))
// The target is a signed copy of this step's input on every unit: learnable by the cell.
const target = wave(T * B * H, (i) => 0.4 * xs[Math.floor(i / H) * I + (i % I)]! * (i % H < 3 ? 1 : -1))
const data: Record<string, DeviceTensor> = {
  x: step.upload({ dims: [T, B, I], data: xs }),
  target: step.upload({ dims: [T, B, H], data: target }),
  'l0.h0': step.upload({ dims: [B, H], data: wave(B * H, () => 0) }),
}
const weights: Record<string, DeviceTensor> = {}
for (const p of params) {
  const size = p.shape.reduce((a, b) => a * b, 1)
  weights[p.name] = step.upload({ dims: p.shape, data: wave(size, (i) => 0.3 * Math.sin(i * 12.9898 + size)) })
}
const rate = step.upload({ dims: [], data: [1] })

export const losses: number[] = []
for (let k = 0; k < 30; k++) {
  const out = await step.run({ ...data, ...weights }) // gradients stay in the backend
  losses.push((await out.loss!.read())[0]!)
  const grads = Object.fromEntries(params.map((p) => [`grad.${p.name}`, out[`grad.${p.name}`]!]))
  await sgd.run({ ...weights, ...grads, lr: rate }, { into: weights })
}
console.log(losses.filter((_, k) => k % 5 === 0).map((l) => l.toFixed(4)).join(' → '))
