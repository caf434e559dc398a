import { type Graph, GraphBuilder, gru, lstm, mul, sequenceGraph, type Tensor } from '@cellgraph/graph'
import { leavesOf } from '@cellgraph/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type DeviceTensor,
  type Executable,
  planProgram,
  referenceBackend,
  runPasses,
  type WebGpuBackend,
} from '../../src/index.js'
import { inputsFor } from './agree.js'
import { testBackend } from './testBackend.js'

let gpu: WebGpuBackend
beforeAll(async () => {
  gpu = await testBackend()
})
afterAll(() => gpu.dispose())

const reference = referenceBackend()

/** The graph's first output on the float64 reference interpreter, for these host inputs. */
async function expected(graph: Graph, inputs: Record<string, Tensor>): Promise<Float32Array> {
  const exe = await reference.compile(graph)
  const bound = Object.fromEntries(Object.entries(inputs).map(([n, t]) => [n, reference.upload(t)]))
  const out = await exe.run(bound)
  return Float32Array.from(await out[graph.outputs[0]!.name]!.read())
}

const worst = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((w, v, i) => Math.max(w, Math.abs(v - b[i]!)), 0)

/** Runs once and returns its dispatches and its first output. */
async function runCounted(exe: Executable, graph: Graph, inputs: Record<string, DeviceTensor>) {
  const before = gpu.stats().dispatches
  const out = await exe.run(inputs)
  const values = await out[graph.outputs[0]!.name]!.read()
  return { dispatches: gpu.stats().dispatches - before, values }
}

describe('packed weights on webgpu', { timeout: 120_000 }, () => {
  for (const [name, graph] of [
    ['LSTM', sequenceGraph([lstm({ input: 3, hidden: 4 })])],
    ['GRU', sequenceGraph([gru({ input: 3, hidden: 4 })])],
  ] as const) {
    it(`${name}: every pack in one kernel, run again only when a source weight changed`, async () => {
      const packs = planProgram(runPasses(graph)).packs
      expect(packs.length).toBeGreaterThan(1)
      expect(packs.some((p) => p.blocks.length > 1)).toBe(true)
      const host = Object.fromEntries(
        leavesOf(graph).map((leaf, k) => [leaf.name, inputsFor(graph, 2, 3)[k]!]),
      ) as Record<string, Tensor>
      const inputs = Object.fromEntries(Object.entries(host).map(([n, t]) => [n, gpu.upload(t)]))
      const exe = await gpu.compile(graph)

      const first = await runCounted(exe, graph, inputs)
      expect(worst(first.values, await expected(graph, host))).toBeLessThan(1e-5)
      // Same tensors, nothing written: the packed weights in the arena are current.
      const again = await runCounted(exe, graph, inputs)
      expect(first.dispatches - again.dispatches).toBe(1)
      expect(again.values).toEqual(first.values)

      // A host write into one source weight packs again, and the result follows the new weight.
      const source = packs[0]!.blocks[0]!.source
      const changed = { ...host[source]!, data: host[source]!.data.map((v) => -2 * v) }
      inputs[source]!.write(changed.data)
      const written = await runCounted(exe, graph, inputs)
      expect(written.dispatches).toBe(first.dispatches)
      const afterWrite = await expected(graph, { ...host, [source]: changed })
      expect(worst(written.values, afterWrite)).toBeLessThan(1e-5)
      expect(worst(written.values, first.values)).toBeGreaterThan(1e-3)

      // Another executable's run written `into` the weight packs again too (an optimizer's update).
      const b = new GraphBuilder()
      const w = b.leaf('input', source, {
        name: source,
        type: { layout: 'tensor', shape: [...changed.dims] },
      })
      const halve = b.build([{ name: source, value: mul(w, 0.5) }])
      const update = await gpu.compile(halve)
      await update.run({ [source]: inputs[source]! }, { into: { [source]: inputs[source]! } })
      const updated = await runCounted(exe, graph, inputs)
      expect(updated.dispatches).toBe(first.dispatches)
      const halved = { ...changed, data: changed.data.map((v) => 0.5 * v) }
      expect(worst(updated.values, await expected(graph, { ...host, [source]: halved }))).toBeLessThan(1e-5)

      // Another tensor bound in the weight's place, equal in content: packs again.
      const copy = gpu.upload(halved)
      const rebound = await runCounted(exe, graph, { ...inputs, [source]: copy })
      expect(rebound.dispatches).toBe(first.dispatches)
      expect(rebound.values).toEqual(updated.values)

      update.dispose()
      exe.dispose()
      for (const t of [...Object.values(inputs), copy]) t.dispose()
    })
  }
})
