import {
  add,
  type Graph,
  type GraphBuilder,
  mul,
  printGraph,
  Rng,
  signature,
  sumAll,
  type Tensor,
  tensor,
  type Value,
} from '@cellgraph/graph'
import { withLoss } from '../src/index.js'

/** Number of property runs: small by default, more with CELLGRAPH_PROPERTY_RUNS (test:long). */
export const numRuns = (base: number): number => {
  const env = Number(process.env.CELLGRAPH_PROPERTY_RUNS)
  return Number.isFinite(env) && env > 0 ? Math.max(base, env) : base
}

/** A deterministic pseudo-random stream in [-1, 1) from a seed. */
export function randomStream(seed: number): () => number {
  const rng = new Rng(seed)
  return () => rng.next() * 2 - 1
}

/**
 * The loss Σ_outputs Σ w_o ⊙ o: a random linear functional of every output of `graph`, with the
 * weights as extra input leaves `w.<output>`.
 */
export function linearFunctional(graph: Graph): Graph {
  return withLoss(graph, (outputs, b: GraphBuilder) => {
    let total: Value | undefined
    for (const [name, v] of Object.entries(outputs)) {
      const w = b.leaf('input', `w.${name}`, { name: `w.${name}`, type: v.type })
      const term = sumAll(mul(v, w))
      total = total ? add(total, term) : term
    }
    return total!
  })
}

/** Random values for every leaf of a graph: T steps, B rows, values scaled by `scale`. */
export function randomInputs(
  graph: Graph,
  { steps, batch, seed, scale = 1 }: { steps: number; batch: number; seed: number; scale?: number },
): Record<string, Tensor> {
  const next = randomStream(seed)
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const { inputs: types } = signature(graph)
  const out: Record<string, Tensor> = {}
  graph.inputs.forEach((id, i) => {
    const t = types[i]!
    const dims =
      t.layout === 'tensor'
        ? t.shape
        : t.layout === 'batch'
          ? [batch, t.shape[0]!]
          : [steps, batch, t.shape[0]!]
    const data = tensor(dims)
    for (let k = 0; k < data.data.length; k++) data.data[k] = next() * scale
    out[(byId.get(id)!.attrs as { name: string }).name] = data
  })
  return out
}

/** A failure message that shows the graph, so a shrunk counterexample is readable. */
export const explain = (graph: Graph, detail: string): string => `${detail}\n${printGraph(graph)}`
