import { builtinCells, type Graph, printGraph, sequenceGraph, stackCells } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { hoistInvariants } from '../../src/passes/hoistInvariants.js'
import { lowerLayers } from '../../src/passes/lowerLayers.js'
import { removeDeadCode } from '../../src/passes/removeDeadCode.js'
import { splitProducts } from '../../src/passes/splitProducts.js'
import { embeddedInput, squashedInput, twoConcats } from '../support/cells.js'
import { countOps, expectSameFunction, firstScanBody, program } from './support.js'

const prepared = (g: Graph) => splitProducts(lowerLayers(g))
const hoist = (g: Graph) => removeDeadCode(hoistInvariants(g))

/** Products left in the time loop and products moved out of it, for each test cell. */
const expected: Record<string, { cell: (typeof builtinCells)[string]; inLoop: number; hoisted: number }> = {
  lstm: { cell: builtinCells.lstm!, inLoop: 4, hoisted: 4 },
  gru: { cell: builtinCells.gru!, inLoop: 3, hoisted: 3 },
  seed_gru: { cell: builtinCells.seed_gru!, inLoop: 3, hoisted: 3 },
  rnn: { cell: builtinCells.rnn!, inLoop: 1, hoisted: 1 },
  peephole_lstm: { cell: builtinCells.peephole_lstm!, inLoop: 4, hoisted: 4 },
  coupled_lstm: { cell: builtinCells.coupled_lstm!, inLoop: 3, hoisted: 3 },
  embedded_input: { cell: embeddedInput, inLoop: 1, hoisted: 2 },
  squashed_input: { cell: squashedInput, inLoop: 1, hoisted: 1 },
  two_concats: { cell: twoConcats, inLoop: 2, hoisted: 2 },
}

describe('hoistInvariants', () => {
  for (const [name, { cell, inLoop, hoisted }] of Object.entries(expected))
    it(`moves every input-only product of ${name} out of the time loop`, () => {
      const g = prepared(sequenceGraph([cell({ input: 3, hidden: 4 })]))
      const after = hoist(g)
      expectSameFunction(program(g), program(after))
      expect(countOps(firstScanBody(after), 'matmul')).toBe(inLoop)
      expect(countOps(after, 'matmul')).toBe(hoisted)
      // A fixed point: nothing left in the loop depends only on the sequences and invariants.
      expect(printGraph(hoist(after))).toBe(printGraph(after))
    })

  it('hoists each layer of a two-layer stack', () => {
    const g = prepared(sequenceGraph(stackCells(builtinCells.lstm!, { input: 3, hidden: 4, layers: 2 })))
    const after = hoist(g)
    expectSameFunction(program(g), program(after))
    expect(countOps(after, 'matmul')).toBe(8)
  })

  it('prints the embedded-input cell before and after', () => {
    const g = prepared(sequenceGraph([embeddedInput({ input: 2, hidden: 3 })]))
    expect(`${printGraph(g, 'before')}\n${printGraph(hoist(g), 'after')}`).toMatchSnapshot()
  })
})
