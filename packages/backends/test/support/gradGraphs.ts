import { grad, withLoss } from '@cellgraph/autodiff'
import { type Graph, mul, sumAll } from '@cellgraph/graph'

/**
 * The training graph of a sequence model: loss = Σ_t y_t·R_t (the benchmark's loss) and the
 * gradient of every parameter and of the initial states and inputs, derived by autodiff.
 */
export function trainingGraph(model: Graph, wrtInputs = false): Graph {
  const withL = withLoss(model, ({ y }, b) =>
    sumAll(mul(y!, b.leaf('input', 'R', { name: 'R', type: y!.type }))),
  )
  if (!wrtInputs) return grad(withL, { loss: 'loss' })
  const byId = new Map(withL.nodes.map((n) => [n.id, n]))
  const names = withL.inputs
    .map((id) => byId.get(id)!)
    .filter((n) => n.op === 'param' || (n.op === 'input' && (n.attrs as { name: string }).name !== 'R'))
    .map((n) => (n.attrs as { name: string }).name)
  return grad(withL, { loss: 'loss', wrt: names })
}
