import { gru, lstm, type Node, sequenceGraph } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { loopPlaces, planProgram, runPasses } from '../src/index.js'
import { trainingGraph } from './support/gradGraphs.js'

/** The top-level scans of a graph after the passes, forward first. */
const scans = (graph: Parameters<typeof runPasses>[0]): Node<'scan'>[] =>
  planProgram(runPasses(graph)).root.steps.flatMap((st) => (st.kind === 'loop' ? [st.node] : []))

describe('where a scan keeps its carries', () => {
  const model = sequenceGraph([lstm({ input: 3, hidden: 4 })])

  it("keeps an LSTM's h in its per-step output and copies nothing", () => {
    const [scan] = scans(model)
    const places = loopPlaces(scan!)
    expect(places.carries).toEqual([{ kind: 'written', output: 2 }, { kind: 'pair' }])
    expect(places.copies).toEqual([])
    expect(places.hoisted.size).toBe(0)
  })

  it('in training, keeps the saved c where the step read it and moves [h, x] after the loop', () => {
    const [forward] = scans(trainingGraph(model))
    const { body } = forward!.attrs
    const places = loopPlaces(forward!)
    const savedC = body.outputs.findIndex((o) => o.ref === body.inputs[1])
    expect(places.carries).toEqual([
      { kind: 'written', output: 2 },
      { kind: 'read', output: savedC },
    ])
    expect(places.copies).toEqual([])
    const hoisted = [...places.hoisted].map((id) => body.nodes.find((n) => n.id === id)!)
    expect(hoisted.map((n) => [n.op, n.inputs])).toEqual([['concat', [body.inputs[0], body.inputs[2]]]])
  })

  it('in training, keeps a saved h that the step read and one it wrote in one run of T + 1 slices', () => {
    // A GRU's backward step reads both h_t−1 and h_t: the carry's versions, one slice apart.
    const [forward] = scans(trainingGraph(sequenceGraph([gru({ input: 3, hidden: 4 })])))
    const { body } = forward!.attrs
    const places = loopPlaces(forward!)
    const written = body.outputs.findIndex((o, k) => k >= 1 && o.ref === body.outputs[0]!.ref)
    const read = body.outputs.findIndex((o) => o.ref === body.inputs[0])
    expect(places.carries).toEqual([{ kind: 'both', written, read }])
    expect(places.copies).toEqual([])
  })
})
