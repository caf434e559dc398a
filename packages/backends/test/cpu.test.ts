import { builtinCells, lstm, sequenceGraph, stackCells } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { type Backend, cpuBackend, referenceBackend, wasmCpuBackend } from '../src/index.js'
import { trainingGraph } from './support/gradGraphs.js'
import { randomInputs, runOn } from './support/run.js'
import { firstMismatch } from './support/tolerance.js'

const reference = referenceBackend()

/** The CPU backend with each of its kernel sets: plain JavaScript and WebAssembly SIMD. */
const variants: [string, Backend][] = [
  ['cpu', cpuBackend()],
  ['cpu-wasm', wasmCpuBackend()],
]

for (const [label, backend] of variants) {
  async function expectAgree(graph: Parameters<typeof runOn>[1], batch: number, steps: number) {
    const inputs = randomInputs(graph, batch, steps)
    const want = await runOn(reference, graph, inputs)
    const got = await runOn(backend, graph, inputs)
    for (const name of Object.keys(want)) expect(firstMismatch(got[name]!, want[name]!), name).toBeUndefined()
  }

  describe(`${label} backend forward against the reference`, () => {
    for (const [name, cell] of Object.entries(builtinCells))
      it(`runs the built-in ${name} over a sequence`, () =>
        expectAgree(sequenceGraph([cell({ input: 3, hidden: 5 })]), 2, 4))

    it('runs a two-layer stack as one model', () =>
      expectAgree(sequenceGraph(stackCells(lstm, { input: 3, hidden: 4, layers: 2 })), 3, 5))
  })

  describe(`${label} backend backward against the reference`, () => {
    for (const [name, cell] of Object.entries(builtinCells))
      it(`computes the ${name} training graph (loss and every gradient)`, () =>
        expectAgree(trainingGraph(sequenceGraph([cell({ input: 3, hidden: 5 })]), true), 2, 4))

    it('computes the training graph of a two-layer stack', () =>
      expectAgree(trainingGraph(sequenceGraph(stackCells(lstm, { input: 3, hidden: 4, layers: 2 }))), 3, 5))
  })
}
