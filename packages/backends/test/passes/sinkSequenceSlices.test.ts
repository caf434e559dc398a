import { builtinCells, type Graph, lstm, printGraph, sequenceGraph } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { passes, runPasses } from '../../src/passes/pipeline.js'
import { expectSameFunction } from './support.js'

const upTo = (name: string) =>
  passes.slice(
    0,
    passes.findIndex((p) => p.name === name),
  )
const sink = passes.find((p) => p.name === 'sinkSequenceSlices')!

/** Scan inputs fed by a slice at the scan's own level. */
const slicedSequences = (g: Graph) => {
  const byId = new Map(g.nodes.map((n) => [n.id, n]))
  return g.nodes
    .filter((n) => n.op === 'scan')
    .flatMap((n) => {
      const { carries, sequences } = n.attrs as { carries: number; sequences: number }
      return n.inputs.slice(carries, carries + sequences).filter((r) => byId.get(r)?.op === 'slice')
    })
}

describe('sinkSequenceSlices', () => {
  for (const [name, cell] of Object.entries(builtinCells))
    it(`reads ${name}'s merged input product inside the loop, without per-gate copies`, () => {
      const before = runPasses(sequenceGraph([cell({ input: 3, hidden: 4 })]), {
        passes: upTo('sinkSequenceSlices'),
      })
      const after = sink.run(before)
      expectSameFunction(before, after)
      expect(slicedSequences(after.graph)).toEqual([])
    })

  it('prints the LSTM scan before and after', () => {
    const before = runPasses(sequenceGraph([lstm({ input: 2, hidden: 3 })]), {
      passes: upTo('sinkSequenceSlices'),
    })
    const scanLines = (g: Graph) =>
      printGraph(g)
        .split('\n')
        .filter((l) => /slice|scan|wide|hoisted: input/.test(l))
    expect(
      [...scanLines(before.graph), '---', ...scanLines(sink.run(before).graph)].join('\n'),
    ).toMatchSnapshot()
  })
})
