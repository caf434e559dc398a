import { builtinCells, type Graph, lstm, sequenceGraph, stackCells } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { deferRowReductions } from '../../src/passes/deferRowReductions.js'
import { hoistInvariants } from '../../src/passes/hoistInvariants.js'
import { lowerLayers } from '../../src/passes/lowerLayers.js'
import { mergeProducts } from '../../src/passes/mergeProducts.js'
import { printProgram } from '../../src/passes/pipeline.js'
import type { Program } from '../../src/passes/program.js'
import { removeDeadCode } from '../../src/passes/removeDeadCode.js'
import { splitProducts } from '../../src/passes/splitProducts.js'
import { embeddedInput, twoConcats } from '../support/cells.js'
import { trainingGraph } from '../support/gradGraphs.js'
import { countOps, expectSameFunction, program } from './support.js'

const prepared = (g: Graph) =>
  removeDeadCode(deferRowReductions(removeDeadCode(hoistInvariants(splitProducts(lowerLayers(g))))))
const merge = (p: Program): Program => {
  const merged = mergeProducts(p)
  return { ...merged, graph: removeDeadCode(merged.graph) }
}
const scans = (g: Graph) =>
  g.nodes.filter((n) => n.op === 'scan').map((n) => (n.attrs as { body: Graph }).body)

/** Products left in the forward and backward loops after merging, per cell. */
const expected: Record<string, { cell: (typeof builtinCells)[string]; forward: number; backward: number }> = {
  lstm: { cell: lstm, forward: 1, backward: 1 },
  peephole_lstm: { cell: builtinCells.peephole_lstm!, forward: 1, backward: 1 },
  coupled_lstm: { cell: builtinCells.coupled_lstm!, forward: 1, backward: 1 },
  gru: { cell: builtinCells.gru!, forward: 1, backward: 1 },
  // The seed GRU's candidate reads r*h, which needs r first: two products per step each way.
  seed_gru: { cell: builtinCells.seed_gru!, forward: 2, backward: 2 },
  embedded_input: { cell: embeddedInput, forward: 1, backward: 1 },
  two_concats: { cell: twoConcats, forward: 2, backward: 2 },
}

describe('mergeProducts', () => {
  for (const [name, { cell, forward, backward }] of Object.entries(expected))
    it(`leaves ${forward} product(s) per step forward and ${backward} backward in ${name}`, () => {
      const before = program(prepared(trainingGraph(sequenceGraph([cell({ input: 3, hidden: 4 })]))))
      const after = merge(before)
      expectSameFunction(before, after)
      const [fwd, bwd] = scans(after.graph)
      expect(countOps(fwd!, 'matmul')).toBe(forward)
      expect(countOps(bwd!, 'matmul')).toBe(backward)
    })

  it('makes the four LSTM gates one [4H x H] recurrent product and one [4H x I] input product', () => {
    const after = merge(program(prepared(sequenceGraph([lstm({ input: 3, hidden: 4 })]))))
    const shapes = after.graph.nodes
      .filter((n) => n.op === 'input' && after.packs.some((p) => p.leaf === n.id))
      .map((n) => (n.attrs as unknown as { type: { shape: number[] } }).type.shape)
    expect(shapes).toEqual([
      [16, 3],
      [16, 4],
    ])
    expect(countOps(after.graph, 'matmul')).toBe(1)
  })

  it('merges within each layer of a two-layer stack', () => {
    const before = program(
      prepared(trainingGraph(sequenceGraph(stackCells(lstm, { input: 3, hidden: 4, layers: 2 })))),
    )
    const after = merge(before)
    expectSameFunction(before, after)
    expect(scans(after.graph).map((b) => countOps(b, 'matmul'))).toEqual([1, 1, 1, 1])
  })

  it('prints the LSTM before and after', () => {
    const before = program(prepared(sequenceGraph([lstm({ input: 2, hidden: 3 })])))
    expect(`${printProgram(before, 'before')}\n${printProgram(merge(before), 'after')}`).toMatchSnapshot()
  })
})
