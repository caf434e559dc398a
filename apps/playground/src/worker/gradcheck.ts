import { gradcheck } from '@cellgraph/autodiff'
import type { Cell } from '@cellgraph/graph'
import { lossModel, randomInputs } from '../compiler/lossModel.js'
import type { GradcheckSummary } from './protocol.js'

/**
 * The cell's gradients (BPTT, float64 reference interpreter) against central differences, on a
 * short random sequence: the worst relative error over every parameter.
 */
export function checkGradients(cell: Cell): GradcheckSummary {
  const model = lossModel(cell)
  const inputs = randomInputs(model, { batch: 2, steps: 3, seed: 7 })
  const check = gradcheck(model, inputs, { loss: 'loss' })
  const perLeaf = Object.fromEntries(Object.entries(check).map(([leaf, c]) => [leaf, c.error]))
  const [leaf, worst] = Object.entries(perLeaf).reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0])
  return { worst, leaf, perLeaf }
}
