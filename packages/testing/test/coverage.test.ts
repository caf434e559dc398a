import { type OpName, opNames } from '@cellgraph/graph'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cellCaseArb, gradientGraph, opCoverage, opsIn } from '../src/index.js'

describe('op coverage of the generator', () => {
  const cases = fc.sample(cellCaseArb(), { numRuns: 400, seed: 42 })
  const inCells = new Set<OpName>()
  const inModels = new Set<OpName>()
  const inBackward = new Set<OpName>()
  for (const c of cases) {
    opsIn(c.cell.graph, inCells)
    opsIn(c.model.graph, inModels)
  }
  for (const c of cases.slice(0, 20)) opsIn(gradientGraph(c.model), inBackward)

  it('has an entry for every op of the IR', () => {
    expect(Object.keys(opCoverage).sort()).toEqual([...opNames].sort())
  })

  it.each(opNames.filter((op) => opCoverage[op].in === 'cell'))('generates %s inside cells', (op) => {
    expect(inCells.has(op)).toBe(true)
  })

  it.each(opNames.filter((op) => opCoverage[op].in === 'model'))('generates %s in sequence models', (op) => {
    expect(inModels.has(op)).toBe(true)
  })

  it.each(opNames.filter((op) => opCoverage[op].in === 'backward'))(
    'generates %s in gradient graphs',
    (op) => {
      expect(inBackward.has(op)).toBe(true)
    },
  )
})
