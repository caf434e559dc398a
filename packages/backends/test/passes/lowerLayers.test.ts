import { builtinCells, printGraph, sequenceGraph } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { lowerLayers } from '../../src/passes/lowerLayers.js'
import { countOps, expectSameFunction, firstScanBody, program } from './support.js'

describe('lowerLayers', () => {
  for (const [name, cell] of Object.entries(builtinCells))
    it(`keeps the ${name} cell's function and leaves no layer`, () => {
      const g = sequenceGraph([cell({ input: 3, hidden: 4 })])
      const after = lowerLayers(g)
      expectSameFunction(program(g), program(after))
      expect(countOps(firstScanBody(after), 'layer')).toBe(0)
    })

  it('prints the rnn cell before and after', () => {
    const g = builtinCells.rnn!({ input: 2, hidden: 3 }).graph
    expect(`${printGraph(g, 'before')}\n${printGraph(lowerLayers(g), 'after')}`).toMatchSnapshot()
  })
})
