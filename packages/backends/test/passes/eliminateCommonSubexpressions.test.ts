import { builtinCells, type Graph, printGraph, sequenceGraph } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { eliminateCommonSubexpressions } from '../../src/passes/eliminateCommonSubexpressions.js'
import { passes, runPasses } from '../../src/passes/pipeline.js'
import { trainingGraph } from '../support/gradGraphs.js'
import { countOps, expectSameFunction, program } from './support.js'

const upTo = passes.slice(
  0,
  passes.findIndex((p) => p.name === 'eliminateCommonSubexpressions'),
)
const cse = (g: Graph) => eliminateCommonSubexpressions(g)

describe('eliminateCommonSubexpressions', () => {
  for (const [name, cell] of Object.entries(builtinCells))
    it(`computes each value of ${name}'s training graph once`, () => {
      const before = runPasses(trainingGraph(sequenceGraph([cell({ input: 3, hidden: 4 })])), {
        passes: upTo,
      })
      const after = { ...before, graph: cse(before.graph) }
      expectSameFunction(before, after)
      const keys = after.graph.nodes
        .filter((n) => n.op !== 'scan' && !after.graph.inputs.includes(n.id))
        .map((n) => `${n.op}|${JSON.stringify(n.attrs)}|${n.inputs.join(',')}`)
      expect(new Set(keys).size).toBe(keys.length)
    })

  it('reduces the shared bias rows of the rnn once (two biases, one sum)', () => {
    const before = runPasses(trainingGraph(sequenceGraph([builtinCells.rnn!({ input: 2, hidden: 3 })])), {
      passes: upTo,
    })
    expect(countOps(before.graph, 'sumRows')).toBe(2)
    const after = cse(before.graph)
    expectSameFunction(before, program(after, before.packs))
    expect(countOps(after, 'sumRows')).toBe(1)
    const tail = (g: Graph) =>
      printGraph(g)
        .split('\n')
        .filter((l) => /sumRows|acc\.rnn\.b/.test(l))
    expect([...tail(before.graph), '---', ...tail(after)].join('\n')).toMatchSnapshot()
  })
})
