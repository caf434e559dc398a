// Heap use of training steps on the default CPU backend, in a clean Node isolate (run by
// test/hotLoop.test.ts against the built package: node --expose-gc hotLoop.mjs BACKEND STEPS).
// A step is the small benchmark LSTM's forward + BPTT (one executable) and an SGD update of every
// parameter run `into` the parameters (one more), with the same input records every step.
import { grad, withLoss } from '@cellgraph/autodiff'
import { GraphBuilder, lstm, mul, sequenceGraph, sub, sumAll } from '@cellgraph/graph'
import { compile } from '../../dist/index.js'

const backend = process.argv[2] ?? 'cpu'
const steps = Number(process.argv[3] ?? 1000)
const [T, B, I, H] = [32, 1, 16, 32]
const model = sequenceGraph([lstm({ input: I, hidden: H })])
const training = grad(
  withLoss(model, ({ y }, b) => sumAll(mul(y, b.leaf('input', 'R', { name: 'R', type: y.type })))),
  { loss: 'loss' },
)
const step = await compile(training, { backend })
const params = model.nodes.filter((n) => n.op === 'param').map((n) => n.attrs)
const u = new GraphBuilder()
const tensorInput = (name, shape) => u.leaf('input', name, { name, type: { layout: 'tensor', shape } })
const lr = tensorInput('lr', [])
const sgd = await compile(
  u.build(
    params.map((p) => ({
      name: p.name,
      value: sub(tensorInput(p.name, p.shape), mul(lr, tensorInput(`grad.${p.name}`, p.shape))),
    })),
  ),
  { backend },
)
const values = (n, seed) => Float32Array.from({ length: n }, (_, i) => 0.1 * Math.sin(i * 1.7 + seed))
const weights = Object.fromEntries(
  params.map((p) => [
    p.name,
    step.upload({
      dims: p.shape,
      data: values(
        p.shape.reduce((a, b) => a * b, 1),
        1,
      ),
    }),
  ]),
)
const inputs = {
  ...weights,
  x: step.upload({ dims: [T, B, I], data: values(T * B * I, 2) }),
  R: step.upload({ dims: [T, B, H], data: values(T * B * H, 3) }),
  'l0.h0': step.upload({ dims: [B, H], data: new Float32Array(B * H) }),
  'l0.c0': step.upload({ dims: [B, H], data: new Float32Array(B * H) }),
}
const first = await step.run(inputs)
// Outputs are owned by the executable and reused: the update's input record is built once.
const update = { ...weights, lr: step.upload({ dims: [], data: [1e-3] }) }
for (const p of params) update[`grad.${p.name}`] = first[`grad.${p.name}`]
const into = { into: weights }
const trainStep = async () => {
  await step.run(inputs)
  await sgd.run(update, into)
}

// The control: the same two awaited calls of async functions that do nothing, which is what the
// asynchronous Executable.run costs in promises whatever the backend does.
const result = {}
const idle = async () => result
const controlStep = async () => {
  await idle()
  await idle()
}

/**
 * Rounds of 100 steps, collecting garbage before each: the least growth per step within a round
 * (what a step allocates), and the heap in use after each collection (what steps retain).
 */
async function measure(fn, rounds) {
  let least = Number.POSITIVE_INFINITY
  const heap = []
  for (let round = 0; round < rounds; round++) {
    globalThis.gc()
    const before = process.memoryUsage().heapUsed
    heap.push(before)
    for (let i = 0; i < 100; i++) await fn()
    least = Math.min(least, (process.memoryUsage().heapUsed - before) / 100)
  }
  globalThis.gc()
  heap.push(process.memoryUsage().heapUsed)
  return { least, heap }
}

// warm up: the optimising compiler keeps adding code for a few hundred steps
for (let i = 0; i < 1000; i++) await trainStep()
await measure(controlStep, 3)
const { least: stepBytes, heap } = await measure(trainStep, steps / 100)
const control = await measure(controlStep, 3)
// One-off engine allocations (feedback, optimised code: on a busy machine a late tier-up can
// land in any round) show as a jump between two rounds; a leak as growth in every round. So the
// leak measure is the median growth of the collected heap from one round to the next.
const growth = heap
  .slice(1)
  .map((h, k) => h - heap[k])
  .sort((a, b) => a - b)
console.log(
  JSON.stringify({
    steps,
    bytesPerStep: stepBytes,
    controlBytesPerStep: control.least,
    retainedBytes: heap.at(-1) - heap[0],
    medianRoundGrowth: growth[growth.length >> 1],
    rounds: growth.length,
  }),
)
process.exit(0)
