import { runGraph, verify } from '@cellgraph/graph'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cellCaseArb } from '../src/index.js'

describe('random cells', () => {
  it('build, verify and run finitely', () => {
    fc.assert(
      fc.property(cellCaseArb(), (c) => {
        verify(c.model.graph)
        const outs = runGraph(c.model.graph, c.inputs)
        for (const o of outs) for (const v of o.data) expect(Math.abs(v)).toBeLessThan(1e30)
      }),
      { numRuns: 150, seed: 1 },
    )
  })
})
