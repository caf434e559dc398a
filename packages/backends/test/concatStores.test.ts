import { lstm, sequenceGraph } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { concatStores, type LevelPlan, planProgram, runPasses } from '../src/index.js'
import { trainingGraph } from './support/gradGraphs.js'

/** The bodies of a graph's top-level scans, forward first. */
const loopBodies = (graph: Parameters<typeof runPasses>[0]): LevelPlan[] =>
  planProgram(runPasses(graph)).root.steps.flatMap((st) => (st.kind === 'loop' ? [st.body] : []))

describe('concats made by the kernels that make their parts', () => {
  const [forward, backward] = loopBodies(trainingGraph(sequenceGraph([lstm({ input: 3, hidden: 4 })])))

  it("takes the LSTM's backward δ of its four gates, each written into its columns", () => {
    const { stores, absorbed } = concatStores(backward!)
    const concat = backward!.steps.find((st) => st.kind === 'call' && st.node.op === 'concat')
    expect(concat?.kind === 'call' && absorbed.has(concat.node.id)).toBe(true)
    const parts = concat?.kind === 'call' ? concat.node.inputs : []
    expect(parts.map((id) => stores.get(id))).toEqual(
      [0, 4, 8, 12].map((column) => [{ concat: concat?.kind === 'call' && concat.node.id, column }]),
    )
  })

  it('leaves [h, x]: a carry and a per-step read are no kernel’s members', () => {
    expect(concatStores(forward!).absorbed.size).toBe(0)
  })
})
