import { gradcheck } from '@cellgraph/autodiff'
import { cellCaseArb, gradientLeaves, leavesOf } from '@cellgraph/testing'
import fc from 'fast-check'

// BPTT through random cells against central differences. A failure prints the shrunk case as a
// graph with its inputs and a line that rebuilds it.
export const result = fc.check(
  fc.property(cellCaseArb({ maxOps: 4 }), (c) => {
    const inputs = Object.fromEntries(leavesOf(c.model.graph).map((l, i) => [l.name, c.inputs[i]!]))
    const worst = gradcheck(c.model.graph, inputs, { loss: c.model.loss, wrt: gradientLeaves(c.model) })
    return Object.values(worst).every((leaf) => leaf.error < 1e-3)
  }),
  { numRuns: 6, seed: 1 },
)
