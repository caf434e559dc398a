import {
  add,
  clamp,
  concat,
  defineCell,
  type Graph,
  GraphBuilder,
  layer,
  log,
  lstm,
  mul,
  reduceMean,
  sequenceGraph,
  sigmoid,
  sub,
  tanh,
} from '@cellgraph/graph'

import { describe, expect, it } from 'vitest'
import { cpuBackend, referenceBackend, wasmCpuBackend } from '../src/index.js'
import { trainingGraph } from './support/gradGraphs.js'
import { randomInputs, runOn } from './support/run.js'
import { firstMismatch } from './support/tolerance.js'

async function agreesWithReference(graph: Graph, batch: number, steps: number) {
  const inputs = randomInputs(graph, batch, steps, 3)
  const backend = wasmCpuBackend()
  const got = await runOn(backend, graph, inputs)
  const want = await runOn(referenceBackend(), graph, inputs)
  backend.dispose()
  for (const o of graph.outputs) expect(firstMismatch(got[o.name]!, want[o.name]!), o.name).toBeUndefined()
}

describe('cpu-wasm kernels', () => {
  // 2·32·512·128 ≈ 4.2 MFLOP per step: above the split threshold, so the helper thread takes half
  // of every recurrent product, forward and backward.
  const model = sequenceGraph([lstm({ input: 32, hidden: 128 })])

  it('products split between two threads agree with the reference, forward and backward', async () => {
    await agreesWithReference(model, 32, 3)
    await agreesWithReference(trainingGraph(model), 32, 3)
  })

  it('routes pointwise kernels: SIMD with scalars, clamps, row reductions and values per row, JavaScript where log has no SIMD form', async () => {
    type Output = 'scaled' | 'logged' | 'centred'
    const graphWith = (output: Output) => {
      const b = new GraphBuilder()
      const x = b.leaf('input', 'x', { name: 'x', type: { layout: 'batch', shape: [7] } })
      const s = b.leaf('input', 's', { name: 's', type: { layout: 'tensor', shape: [] } })
      const value =
        output === 'scaled'
          ? clamp(sigmoid(mul(x, s)), 0.3, 0.6)
          : output === 'logged'
            ? log(add(mul(x, s), 2))
            : tanh(mul(sub(x, reduceMean(x)), s)) // a value per row, broadcast along the row
      return b.build([{ name: output, value }]) as Graph
    }
    const backend = wasmCpuBackend()
    const codeOf = async (output: Output) => {
      const graph = graphWith(output)
      const code: string[] = []
      const exe = await backend.compile(graph, {
        trace: (stage, text) => stage.startsWith('cpu code') && code.push(text),
      })
      const inputs = randomInputs(graph, 5, 1, 4)
      const uploaded = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, backend.upload(v)]))
      const got = await (await exe.run(uploaded))[output]!.read()
      const want = (await runOn(referenceBackend(), graph, inputs))[output]!
      expect(firstMismatch(got, want), output).toBeUndefined()
      return code.join('\n')
    }
    expect(await codeOf('scaled')).toMatch(/fused \(wasm F\[0\]\): .*= clamp/)
    expect(await codeOf('logged')).toMatch(/\/\/ fused: .*= log/)
    // the row mean is a SIMD reduction; the kernel reads it once per row (row stride 1), one call
    const centred = await codeOf('centred')
    expect(centred).toMatch(/K\.pointwise\.rowReduce\.mean\(5, 7, /)
    expect(centred).toMatch(/= tanh\n\s*F\[\d+\]\(5, 7, .*, ab\d+, 1, /)
    expect(centred).not.toMatch(/for \(let r/)
    backend.dispose()
  })

  it('repacks weights only when they changed (written between runs)', async () => {
    const small = sequenceGraph([lstm({ input: 3, hidden: 5 })])
    for (const backend of [wasmCpuBackend(), cpuBackend()]) {
      const exe = await backend.compile(small)
      const first = randomInputs(small, 2, 4, 5)
      const second = randomInputs(small, 2, 4, 6)
      const tensors = Object.fromEntries(Object.entries(first).map(([k, v]) => [k, backend.upload(v)]))
      const check = async (values: typeof first) => {
        const got = await (await exe.run(tensors)).y!.read()
        const want = (await runOn(referenceBackend(), small, values)).y!
        expect(firstMismatch(got, want), backend.name).toBeUndefined()
      }
      await check(first)
      await check(first) // the same weights: packs reused
      for (const [name, t] of Object.entries(tensors)) t.write(second[name]!.data)
      await check(second) // every weight written: packs rebuilt
      backend.dispose()
    }
  })

  it('wraps the code of each batch size and sequence length once (each times its own runs)', async () => {
    const small = sequenceGraph([lstm({ input: 3, hidden: 5 })])
    const calls: number[] = []
    let wrapped = 0
    const backend = cpuBackend({
      wrapInstance: (run) => {
        const instance = ++wrapped
        return (args) => {
          calls.push(instance)
          run(args)
        }
      },
    })
    const exe = await backend.compile(small)
    for (const [batch, steps] of [
      [2, 4],
      [3, 4],
      [2, 4],
      [2, 6],
    ] as const) {
      const inputs = randomInputs(small, batch, steps, batch + steps)
      const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, backend.upload(v)]))
      const got = await (await exe.run(tensors)).y!.read()
      const want = (await runOn(referenceBackend(), small, inputs)).y!
      expect(firstMismatch(got, want), `${batch}x${steps}`).toBeUndefined()
    }
    expect(wrapped).toBe(3)
    expect(calls).toEqual([1, 2, 1, 3])
  })

  it('runs a scan of kernel calls as one WebAssembly loop, and a scan with JavaScript ops or large products as a JavaScript loop', async () => {
    const scanCode = async (graph: Graph, batch: number, steps: number) => {
      const backend = wasmCpuBackend()
      const code: string[] = []
      const exe = await backend.compile(graph, {
        trace: (stage, text) => stage.startsWith('cpu code') && code.push(text),
      })
      const inputs = randomInputs(graph, batch, steps, 8)
      const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, backend.upload(v)]))
      const got = await exe.run(tensors)
      const want = await runOn(referenceBackend(), graph, inputs)
      for (const o of graph.outputs)
        expect(firstMismatch(await got[o.name]!.read(), want[o.name]!), o.name).toBeUndefined()
      backend.dispose()
      return code.join('\n')
    }
    const small = sequenceGraph([lstm({ input: 3, hidden: 5 })])
    // forward and the reverse (BPTT) scan of the training graph
    for (const graph of [small, trainingGraph(small)]) {
      const code = await scanCode(graph, 2, 6)
      expect(code).toMatch(/scan %\S+: 6 steps(, reverse)?, one WebAssembly call\n\s*S0\(/)
      expect(code).not.toMatch(/for \(let s1/)
    }
    expect(await scanCode(trainingGraph(small), 2, 6)).toMatch(/6 steps, reverse, one WebAssembly call/)
    // a log inside the step has no SIMD form: its JavaScript loop keeps the scan in JavaScript
    const logCell = defineCell('log_cell', { state: ['h'] }, ({ x, h }, { hidden }) => {
      const z = layer('z', concat(h!, x), hidden, sigmoid)
      const h2 = log(add(z, 1))
      return { state: { h: h2 }, output: h2 }
    })
    expect(await scanCode(sequenceGraph([logCell({ input: 2, hidden: 3 })]), 2, 4)).toMatch(
      /for \(let s1 = 0; s1 < 4/,
    )
    // products the helper thread shares (2·32·512·128 flops a step) keep the JavaScript loop
    expect(await scanCode(model, 32, 2)).toMatch(/for \(let s1 = 0; s1 < 2/)
  })
})
