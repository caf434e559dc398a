import {
  add,
  type Graph,
  GraphBuilder,
  mul,
  rowsOf,
  sigmoid,
  sub,
  sumAll,
  tanh,
  tensorOf,
  type Value,
} from '@cellgraph/graph'
import { leavesOf } from '@cellgraph/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type DeviceTensor,
  gpuWorkBetween,
  planProgram,
  runPasses,
  type Step,
  type WebGpuBackend,
} from '../../src/index.js'
import { sumAllGroups } from '../../src/webgpu/sumAll.js'
import { waves } from '../../src/webgpu/waves.js'
import { expectAgree, inputsFor } from './agree.js'
import { testBackend } from './testBackend.js'

let gpu: WebGpuBackend
beforeAll(async () => {
  gpu = await testBackend()
}, 60_000)
afterAll(() => gpu.dispose())

/** Tensors of `sizes` elements and, from `body`, the graph's outputs. */
function tensorsGraph(sizes: readonly number[], body: (ts: Value[]) => Record<string, Value>): Graph {
  const b = new GraphBuilder()
  const ts = sizes.map((n, k) => b.leaf('input', `t${k}`, { name: `t${k}`, type: tensorOf(n) }))
  return b.build(Object.entries(body(ts)).map(([name, value]) => ({ name, value })))
}

/** The dispatches of one warm run of `graph`. */
async function dispatchesOf(graph: Graph, batch = 1): Promise<number> {
  const exe = await gpu.compile(graph)
  const values = inputsFor(graph, batch, 1)
  const inputs: Record<string, DeviceTensor> = Object.fromEntries(
    leavesOf(graph).map((leaf, k) => [leaf.name, gpu.upload(values[k]!)]),
  )
  const read = graph.outputs[0]!.name
  await (await exe.run(inputs))[read]!.read() // builds the plan
  const before = gpu.stats()
  await (await exe.run(inputs))[read]!.read()
  const { dispatches } = gpuWorkBetween(before, gpu.stats())
  exe.dispose()
  for (const t of Object.values(inputs)) t.dispose()
  return dispatches
}

describe('independent steps outside scans run together', { timeout: 120_000 }, () => {
  it('orders the steps in waves: each after the latest that makes what it reads', () => {
    const graph = tensorsGraph([5, 7], ([a, b]) => ({
      total: add(sumAll(tanh(a!)), sumAll(sigmoid(b!))),
    }))
    const { steps } = planProgram(runPasses(graph)).root
    const name = (st: Step) =>
      st.kind === 'fused' ? st.members.map((m) => m.op).join('+') : st.kind === 'call' ? st.node.op : st.kind
    // the plan's order: tanh, its sum, sigmoid, its sum, the add
    expect(steps.map(name)).toEqual(['tanh', 'sumAll', 'sigmoid', 'sumAll', 'add'])
    expect(waves(steps, new Map()).map((w) => w.map(name))).toEqual([
      ['tanh', 'sigmoid'],
      ['sumAll', 'sumAll'],
      ['add'],
    ])
  })

  it('sums of all elements of many sizes, and pointwise kernels of many spaces, in few dispatches', async () => {
    // 70 tensors of 1 to 6,694 elements: the last 27 are split over several workgroups each.
    const sizes = Array.from({ length: 70 }, (_, k) => 1 + k * 97)
    expect(sizes.filter((n) => sumAllGroups(n) > 1)).toHaveLength(27)
    const graph = tensorsGraph(sizes, (ts) => ({
      norm: ts.map((t) => sumAll(mul(t, t))).reduce((s, q) => add(s, q)),
      ...Object.fromEntries(ts.map((t, k) => [`update${k}`, sub(t, mul(0.1, tanh(t)))])),
    }))
    await expectAgree(gpu, graph, inputsFor(graph, 1, 1))
    // The squares are computed inside the sums (each is the one value its fused kernel stores, and
    // only the sum reads it): the 70 updates in two segmented kernels (64 segments a kernel); the
    // 70 sums in two kernels (64 sums a kernel) and one adding the split sums' partials; the sum of
    // the sums.
    expect(await dispatchesOf(graph)).toBe(2 + 2 + 1 + 1)
  })

  it('computes a fused value inside the sum that alone reads it, broadcasts included', async () => {
    // x [301, 70] plus a per-feature b, tanh, times itself: 21,070 elements, so the sum is split over
    // six workgroups and their partials added by a second kernel; the elementwise work runs inside
    // the first, each element rebuilt from its row and feature.
    const b = new GraphBuilder()
    const x = b.leaf('input', 'x', { name: 'x', type: rowsOf(70) })
    const bias = b.leaf('input', 'b', { name: 'b', type: tensorOf(70) })
    const t = tanh(add(x, bias))
    const graph = b.build([{ name: 'total', value: sumAll(mul(t, t)) }])
    expect(sumAllGroups(301 * 70)).toBe(6)
    await expectAgree(gpu, graph, inputsFor(graph, 301, 1))
    expect(await dispatchesOf(graph, 301)).toBe(2)
  })

  it('splits segmented kernels at their parameter window', async () => {
    // 60 kernels over spaces of 1 to 60 elements, 5 words each (one read, four stores): 300 words
    // do not fit one window of 255, so two kernels.
    const sizes = Array.from({ length: 60 }, (_, k) => k + 1)
    const graph = tensorsGraph(sizes, (ts) =>
      Object.fromEntries(
        ts.flatMap((t, k) => [
          [`a${k}`, mul(t, tanh(t))],
          [`b${k}`, add(t, 1)],
          [`c${k}`, sub(t, 1)],
          [`d${k}`, sigmoid(t)],
        ]),
      ),
    )
    await expectAgree(gpu, graph, inputsFor(graph, 1, 1))
    expect(await dispatchesOf(graph)).toBe(2)
  })

  it('runs more kernels than one may take as several', async () => {
    // 150 kernels of 2 words: 64 a kernel at most, so three.
    const sizes = Array.from({ length: 150 }, (_, k) => k + 1)
    const graph = tensorsGraph(sizes, (ts) => Object.fromEntries(ts.map((t, k) => [`y${k}`, tanh(t)])))
    await expectAgree(gpu, graph, inputsFor(graph, 1, 1))
    expect(await dispatchesOf(graph)).toBe(3)
  })
})
