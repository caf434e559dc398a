import { evaluate, type Graph, leafName, type Tensor } from '@cellgraph/graph'
import { type GradOptions, grad, gradLeaves, gradName } from './grad.js'

export interface ValueAndGrad {
  /** The loss. */
  readonly value: number
  /** Every output of the forward graph, by name. */
  readonly outputs: Record<string, Tensor>
  /** The gradient of the loss for each leaf in `wrt`, by leaf name. */
  readonly grads: Record<string, Tensor>
}

const cache = new WeakMap<Graph, Map<string, Graph>>()

/** The gradient graph for these options, built once per forward graph. */
export function cachedGrad(graph: Graph, options: GradOptions): Graph {
  let byOptions = cache.get(graph)
  if (!byOptions) cache.set(graph, (byOptions = new Map()))
  const key = JSON.stringify([options.loss, options.wrt ?? null])
  let g = byOptions.get(key)
  if (!g) byOptions.set(key, (g = grad(graph, options)))
  return g
}

/** Runs the gradient graph on the float64 reference interpreter. */
export function valueAndGrad(
  graph: Graph,
  inputs: Readonly<Record<string, Tensor>>,
  options: GradOptions,
): ValueAndGrad {
  const out = evaluate(cachedGrad(graph, options), inputs)
  const names = gradLeaves(graph, options.wrt).map((n) => leafName(n))
  const outputs: Record<string, Tensor> = {}
  for (const o of graph.outputs) outputs[o.name] = out[o.name]!
  return {
    value: out[options.loss]!.data[0]!,
    outputs,
    grads: Object.fromEntries(names.map((name) => [name, out[gradName(name)]!])),
  }
}
