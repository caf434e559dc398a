import { graphToJson, lstm, runGraph, verify } from '@cellgraph/graph'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cellCaseArb, graphInputsArb, leavesOf, makeCellCase, opsIn, sequenceModel } from '../src/index.js'

describe('random cells', () => {
  it('build, verify and run finitely', () => {
    fc.assert(
      fc.property(cellCaseArb(), (c) => {
        verify(c.model.graph)
        const outs = runGraph(c.model.graph, c.inputs)
        for (const o of outs) for (const v of o.data) expect(Math.abs(v)).toBeLessThan(1e30)
      }),
      { numRuns: 100, seed: 1 },
    )
  })

  it('shrink a failure to a small printed graph with its inputs and a line that rebuilds it', () => {
    // A property that fails whenever a cell uses exp: the shrunk case should be little more than one exp.
    const result = fc.check(
      fc.property(cellCaseArb(), (c) => !opsIn(c.cell.graph).has('exp')),
      { seed: 3, numRuns: 200 },
    )
    expect(result.failed).toBe(true)
    const shrunk = result.counterexample![0]
    expect(shrunk.recipe.steps.length).toBeLessThanOrEqual(2)
    const text = fc.stringify(shrunk)
    expect(text).toContain('model {')
    expect(text).toMatch(/= exp %/)
    expect(text).toMatch(/inputs \(seed \d+, saturation [\d.]+\):\n {2}x \[/)
    expect(text.split('\n').length).toBeLessThan(60)
    const [, recipe, shape, draw] = text.match(
      /rebuild: makeCellCase\((.*), (\{"batch".*\}), (\{"seed".*\})\)/,
    )!
    const again = makeCellCase(JSON.parse(recipe!), JSON.parse(shape!), JSON.parse(draw!))
    expect(graphToJson(again.model.graph)).toEqual(graphToJson(shrunk.model.graph))
    expect(again.inputs).toEqual(shrunk.inputs)
  })
})

describe('inputs for a graph', () => {
  const model = sequenceModel([lstm({ input: 2, hidden: 3 })], { head: 'mixed' })

  it('fill every leaf by role, exactly representable in float32', () => {
    fc.assert(
      fc.property(graphInputsArb(model.graph, { batch: 2, steps: 3, roles: model.roles }), (inputs) => {
        const leaves = leavesOf(model.graph)
        expect(inputs.map((t) => t.dims)).toEqual(
          leaves.map((l) =>
            l.type.layout === 'tensor'
              ? l.type.shape
              : l.type.layout === 'batch'
                ? [2, 3]
                : [3, 2, l.type.shape[0]],
          ),
        )
        leaves.forEach((l, i) => {
          const data = Array.from(inputs[i]!.data)
          for (const v of data) expect(Math.fround(v)).toBe(v)
          if (l.name === 'target') for (const v of data) expect([0, 1, 2]).toContain(v)
          else if (l.op === 'param' || l.name in model.roles)
            for (const v of data) expect(Math.abs(v)).toBeLessThanOrEqual(1)
          else for (const v of data) expect(Math.abs(v)).toBeLessThanOrEqual(50)
        })
      }),
      { numRuns: 30, seed: 2 },
    )
  })
})
