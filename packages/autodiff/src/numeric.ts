import { evaluate, type Graph, GraphError, leafName, type Tensor, tensor } from '@cellgraph/graph'
import { valueAndGrad } from './valueAndGrad.js'

// The oracle. It knows nothing of the vector-Jacobian rules: it perturbs inputs and reruns the
// forward graph on the float64 reference interpreter.

export interface NumericGradOptions {
  /** A scalar tensor output. */
  readonly loss: string
  /** Leaf names; default: every `param` leaf. */
  readonly wrt?: readonly string[]
  /** The central-difference step; default 1e-5. */
  readonly eps?: number
}

function lossOf(graph: Graph, inputs: Readonly<Record<string, Tensor>>, loss: string): number {
  const out = evaluate(graph, inputs)[loss]
  if (!out) throw new GraphError(`loss '${loss}' is not an output of the graph`)
  if (out.data.length !== 1) throw new GraphError(`loss '${loss}' must be a scalar, got dims [${out.dims}]`)
  return out.data[0]!
}

function paramNames(graph: Graph): string[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  return graph.inputs.flatMap((id) => {
    const n = byId.get(id)!
    return n.op === 'param' ? [leafName(n)] : []
  })
}

/** ∂loss/∂leaf by central differences, (L(x + ε) − L(x − ε)) / 2ε, one element at a time. */
export function numericGrad(
  graph: Graph,
  inputs: Readonly<Record<string, Tensor>>,
  options: NumericGradOptions,
): Record<string, Tensor> {
  const eps = options.eps ?? 1e-5
  const result: Record<string, Tensor> = {}
  for (const name of options.wrt ?? paramNames(graph)) {
    const x = inputs[name]
    if (!x) throw new GraphError(`numericGrad: no value for leaf '${name}'`)
    const g = tensor(x.dims)
    const probe = tensor(x.dims, x.data)
    const at = { ...inputs, [name]: probe }
    for (let i = 0; i < x.data.length; i++) {
      probe.data[i] = x.data[i]! + eps
      const up = lossOf(graph, at, options.loss)
      probe.data[i] = x.data[i]! - eps
      const down = lossOf(graph, at, options.loss)
      probe.data[i] = x.data[i]!
      g.data[i] = (up - down) / (2 * eps)
    }
    result[name] = g
  }
  return result
}

export interface GradcheckOptions extends NumericGradOptions {
  /** Errors are relative to max(|analytic|, |numeric|, floor); default floor 1e-3. */
  readonly floor?: number
}

export interface LeafCheck {
  /** The worst relative error over the leaf's elements. */
  readonly error: number
  /** Where it occurs, and the two values there. */
  readonly index: number
  readonly analytic: number
  readonly numeric: number
}

/** Compares `valueAndGrad` with central differences; the worst relative error per leaf. */
export function gradcheck(
  graph: Graph,
  inputs: Readonly<Record<string, Tensor>>,
  options: GradcheckOptions,
): Record<string, LeafCheck> {
  const floor = options.floor ?? 1e-3
  const analytic = valueAndGrad(graph, inputs, options).grads
  const numeric = numericGrad(graph, inputs, options)
  const report: Record<string, LeafCheck> = {}
  for (const [name, n] of Object.entries(numeric)) {
    const a = analytic[name]!
    if (a.data.length !== n.data.length)
      throw new GraphError(`gradcheck: gradient of '${name}' has dims [${a.dims}], expected [${n.dims}]`)
    let worst: LeafCheck = { error: 0, index: -1, analytic: 0, numeric: 0 }
    for (let i = 0; i < n.data.length; i++) {
      const av = a.data[i]!
      const nv = n.data[i]!
      const error = Math.abs(av - nv) / Math.max(Math.abs(av), Math.abs(nv), floor)
      if (error > worst.error || worst.index < 0) worst = { error, index: i, analytic: av, numeric: nv }
    }
    report[name] = worst
  }
  return report
}
