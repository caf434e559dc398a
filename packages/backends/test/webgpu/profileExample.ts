import { webgpuBackend } from '@cellgraph/backends'
import { lstm, sequenceGraph } from '@cellgraph/graph'

const gpu = await webgpuBackend()
const model = sequenceGraph([lstm({ input: 2, hidden: 8 })])
const exe = await gpu.compile(model)
const zeros = (dims: number[]) => gpu.upload({ dims, data: new Float32Array(dims.reduce((a, b) => a * b)) })
const inputs = { x: zeros([16, 4, 2]), 'l0.h0': zeros([4, 8]), 'l0.c0': zeros([4, 8]) }
for (const n of model.nodes.filter((m) => m.op === 'param')) {
  const { name, shape } = n.attrs as { name: string; shape: number[] }
  Object.assign(inputs, { [name]: zeros(shape) })
}
await (await exe.run(inputs)).y!.read() // a normal run: one compute pass

if (gpu.canProfile) {
  gpu.beginProfile() // the runs until endProfile() time each kernel (one timestamped pass each)
  await (await exe.run(inputs)).y!.read()
  const profile = await gpu.endProfile()
  for (const k of profile.kinds) console.log(`${k.kind}: ${k.dispatches} dispatches, ${k.ms.toFixed(3)} ms`)
} else console.log(`no per-kernel timing on ${gpu.adapterName}`)
gpu.dispose()
