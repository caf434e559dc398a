import { type Graph, parseRef, ref } from '@cellgraph/graph'

/** A ref in one spelling: `"id"` for output 0, `"id:k"` otherwise. */
export const normalRef = (r: string): string => {
  const { node, output } = parseRef(r)
  return ref(node, output)
}

const isLeaf = (op: string) => op === 'input' || op === 'state' || op === 'param'

/** Ids of the nodes whose outputs depend on the given leaves (the leaves included). */
export function dependents(graph: Graph, leaves: ReadonlySet<string>): Set<string> {
  const out = new Set<string>()
  for (const n of graph.nodes) {
    if (isLeaf(n.op) ? leaves.has(n.id) : n.inputs.some((r) => out.has(parseRef(r).node))) out.add(n.id)
  }
  return out
}

/** Refs from which some target ref can be reached (the targets included). */
export function reaching(graph: Graph, targets: readonly string[]): Set<string> {
  const out = new Set(targets.map(normalRef))
  const nodes = new Set([...out].map((r) => parseRef(r).node))
  for (const n of [...graph.nodes].reverse()) {
    if (!nodes.has(n.id)) continue
    for (const r of n.inputs) {
      out.add(normalRef(r))
      nodes.add(parseRef(r).node)
    }
  }
  return out
}
