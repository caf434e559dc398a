import { grad, mseLoss, withLoss } from '@cellgraph/autodiff'
import { type DeviceTensor, gpuWorkBetween, webgpuBackend } from '@cellgraph/backends'
import { type Graph, lstm, type Node, sequenceGraph } from '@cellgraph/graph'

const gpu = await webgpuBackend() // navigator.gpu in a browser, Dawn (the `webgpu` package) in Node
console.log(`running on ${gpu.adapterName}`)

const [T, B, I, H] = [16, 4, 2, 8]
const model = sequenceGraph([lstm({ input: I, hidden: H })])
const training = grad(
  withLoss(model, ({ y }, b) => mseLoss(y!, b.leaf('input', 'target', { name: 'target', type: y!.type }))),
  { loss: 'loss' },
)

// One graph per training step: the loss, BPTT gradients, and SGD updates p' = p − lr·g.
const params = training.nodes.filter((n) => n.op === 'param').map((n) => (n.attrs as { name: string }).name)
const gradRef = (p: string) => training.outputs.find((o) => o.name === `grad.${p}`)!.ref
const leafId = (p: string) =>
  training.nodes.find((n) => n.op === 'param' && (n.attrs as { name: string }).name === p)!.id
const update = (p: string): Node[] => [
  { id: `sgd.${p}.step`, op: 'mul', inputs: ['sgd.lr', gradRef(p)], attrs: {} },
  { id: `sgd.${p}`, op: 'sub', inputs: [leafId(p), `sgd.${p}.step`], attrs: {} },
]
const stepGraph: Graph = {
  inputs: training.inputs,
  nodes: [
    ...training.nodes,
    { id: 'sgd.lr', op: 'constant', inputs: [], attrs: { value: 0.5 } },
    ...params.flatMap(update),
  ],
  outputs: [
    training.outputs.find((o) => o.name === 'loss')!,
    ...params.map((p) => ({ name: `next.${p}`, ref: `sgd.${p}` })),
  ],
}
const step = await gpu.compile(stepGraph)

const wave = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i))
const xs = wave(T * B * I, (i) => Math.sin(i * 0.7))
const inputs: Record<string, DeviceTensor> = {
  x: gpu.upload({ dims: [T, B, I], data: xs }),
  target: gpu.upload({
    dims: [T, B, H],
    data: wave(T * B * H, (i) => 0.4 * xs[Math.floor(i / H) * I + (i % I)]!),
  }),
  'l0.h0': gpu.upload({ dims: [B, H], data: wave(B * H, () => 0) }),
  'l0.c0': gpu.upload({ dims: [B, H], data: wave(B * H, () => 0) }),
}
for (const n of training.nodes.filter((m) => m.op === 'param')) {
  const { name, shape } = n.attrs as { name: string; shape: number[] }
  const size = shape.reduce((a, b) => a * b, 1)
  inputs[name] = gpu.upload({ dims: shape, data: wave(size, (i) => 0.3 * Math.sin(i * 12.9898 + size)) })
}
const into = Object.fromEntries(params.map((p) => [`next.${p}`, inputs[p]!])) // updated in place

export const losses: number[] = []
for (let k = 0; k <= 60; k++) {
  const out = await step.run(inputs, { into }) // one submission; nothing comes back...
  if (k % 10 === 0) losses.push((await out.loss!.read())[0]!) // ...unless asked
}
console.log(losses.map((l) => l.toFixed(4)).join(' → '))

// What one step and the read of its loss cost the device, the same on any adapter.
const before = gpu.stats()
await (await step.run(inputs, { into })).loss!.read()
export const work = gpuWorkBetween(before, gpu.stats()) // 1 pass, 1 submission, 1 read-back
console.log(`one step: ${work.dispatches} dispatches, ${work.submissions} submission`)
step.dispose()
gpu.dispose() // releases every buffer and the device
