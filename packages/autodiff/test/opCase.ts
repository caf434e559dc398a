import { type Graph, GraphBuilder, type Tensor, tracing, type Value, type ValueType } from '@cellgraph/graph'
import { linearFunctional, randomInputs } from './support.js'

/** One leaf of an op test: its type, how raw values in [-1, 1) map into its domain, and whether it is differentiated. */
export interface LeafSpec {
  readonly name: string
  readonly type: ValueType
  readonly values?: (u: number, i: number) => number
  /** Not differentiable (class indices, conditions): excluded from wrt. */
  readonly fixed?: boolean
}

export interface OpCase {
  readonly graph: Graph
  readonly inputs: Record<string, Tensor>
  readonly wrt: string[]
}

export interface Sizes {
  readonly steps: number
  readonly batch: number
  readonly seed: number
}

/**
 * A graph applying `apply` to leaves of the given types, with a random linear functional of its
 * outputs as the loss, and values for every leaf.
 */
export function opCase(leaves: readonly LeafSpec[], apply: (v: Value[]) => Value[], sizes: Sizes): OpCase {
  const b = new GraphBuilder()
  const vs = leaves.map((l) =>
    l.type.layout === 'tensor'
      ? b.leaf('param', l.name, { name: l.name, shape: [...l.type.shape] })
      : b.leaf('input', l.name, { name: l.name, type: l.type }),
  )
  const outs = tracing(b, () => apply(vs))
  const graph = linearFunctional(b.build(outs.map((value, i) => ({ name: `out${i}`, value }))))
  const inputs = randomInputs(graph, sizes)
  for (const l of leaves) {
    const t = inputs[l.name]!
    if (l.values) for (let i = 0; i < t.data.length; i++) t.data[i] = l.values(t.data[i]!, i)
  }
  return { graph, inputs, wrt: leaves.filter((l) => !l.fixed).map((l) => l.name) }
}
