import { grad, gradName, numericGrad } from '@cellgraph/autodiff'
import { evaluate, type Tensor } from '@cellgraph/graph'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type CellCase, cellCaseArb, gradientLeaves, leavesOf } from '../src/index.js'
import { propertyParameters } from '../src/runs.js'

/**
 * Central differences in float64 (step 1e-6) carry rounding noise of about 1e-16·|loss|/1e-6 and
 * truncation error of about 1e-12 times a third derivative: 1e-6·max(1, |loss|) absolute plus
 * 1e-4 relative covers both with a wide margin, and a wrong rule is off by far more.
 */
const FD_ABSOLUTE = 1e-6
const FD_RELATIVE = 1e-4

/** The first element where BPTT and finite differences disagree, or undefined. */
function bpttMismatch(c: CellCase): string | undefined {
  const leaves = leavesOf(c.model.graph)
  const named: Record<string, Tensor> = Object.fromEntries(leaves.map((l, i) => [l.name, c.inputs[i]!]))
  const wrt = gradientLeaves(c.model) // every parameter, the input sequence and the initial states
  const analytic = evaluate(grad(c.model.graph, { loss: c.model.loss, wrt }), named)
  const loss = Math.abs(analytic[c.model.loss]!.data[0]!)
  const numeric = numericGrad(c.model.graph, named, { loss: c.model.loss, wrt })
  for (const name of wrt) {
    const a = analytic[gradName(name)]!.data
    const n = numeric[name]!.data
    for (let i = 0; i < n.length; i++) {
      const error = Math.abs(a[i]! - n[i]!)
      if (error > FD_ABSOLUTE * Math.max(1, loss) + FD_RELATIVE * Math.abs(n[i]!))
        return `d loss / d ${name}[${i}]: BPTT ${a[i]}, finite differences ${n[i]} (loss ${loss})`
    }
  }
  return undefined
}

describe('BPTT on random cells', () => {
  it('matches central differences on every parameter, input step and initial state', () => {
    fc.assert(
      fc.property(cellCaseArb(), (c) => {
        expect(bpttMismatch(c)).toBeUndefined()
      }),
      propertyParameters(30),
    )
  }, 600_000)
})
