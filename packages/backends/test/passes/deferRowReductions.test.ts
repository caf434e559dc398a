import { builtinCells, type Graph, lstm, printGraph, sequenceGraph, stackCells } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { deferRowReductions } from '../../src/passes/deferRowReductions.js'
import { hoistInvariants } from '../../src/passes/hoistInvariants.js'
import { lowerLayers } from '../../src/passes/lowerLayers.js'
import { removeDeadCode } from '../../src/passes/removeDeadCode.js'
import { splitProducts } from '../../src/passes/splitProducts.js'
import { embeddedInput, twoConcats } from '../support/cells.js'
import { trainingGraph } from '../support/gradGraphs.js'
import { expectSameFunction, program } from './support.js'

const prepared = (g: Graph) => removeDeadCode(hoistInvariants(splitProducts(lowerLayers(g))))
const defer = (g: Graph) => removeDeadCode(deferRowReductions(g))

/** The reverse scans of a graph and the layouts of their carries. */
const reverseCarries = (g: Graph) =>
  g.nodes
    .filter((n) => n.op === 'scan' && (n.attrs as { reverse: boolean }).reverse)
    .map((n) => {
      const { body, carries } = n.attrs as { body: Graph; carries: number }
      return body.inputs
        .slice(0, carries)
        .map((id) => (body.nodes.find((m) => m.id === id)!.attrs as { type: { layout: string } }).type.layout)
    })

const cells = { ...builtinCells, embedded_input: embeddedInput, two_concats: twoConcats }

describe('deferRowReductions', () => {
  for (const [name, cell] of Object.entries(cells))
    it(`leaves only the recurrent work in ${name}'s backward loop`, () => {
      const g = prepared(trainingGraph(sequenceGraph([cell({ input: 3, hidden: 4 })]), true))
      const before = reverseCarries(g)
      expect(before[0]!.some((l) => l === 'tensor')).toBe(true)
      const after = defer(g)
      expectSameFunction(program(g), program(after))
      // Every weight-gradient accumulator is gone; the carries left are the state cotangents.
      expect(reverseCarries(after)).toEqual([before[0]!.filter((l) => l !== 'tensor')])
      const body = (
        after.nodes.find((n) => n.op === 'scan' && (n.attrs as { reverse: boolean }).reverse)!.attrs as {
          body: Graph
        }
      ).body
      expect(body.nodes.filter((n) => n.op === 'outerSum')).toEqual([])
    })

  it('defers both layers of a two-layer stack', () => {
    const g = prepared(trainingGraph(sequenceGraph(stackCells(lstm, { input: 3, hidden: 4, layers: 2 }))))
    const after = defer(g)
    expectSameFunction(program(g), program(after))
    expect(reverseCarries(after).flat()).not.toContain('tensor')
  })

  it('prints the rnn backward loop before and after', () => {
    const g = prepared(trainingGraph(sequenceGraph([builtinCells.rnn!({ input: 2, hidden: 3 })])))
    expect(`${printGraph(g, 'before')}\n${printGraph(defer(g), 'after')}`).toMatchSnapshot()
  })
})
