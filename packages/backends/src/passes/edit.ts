import { type Graph, type GraphOutput, type Node, parseRef, type Ref, ref } from '@cellgraph/graph'

export type Attrs<K extends Node['op']> = Node<K>['attrs']

/** Every id used in a graph (its own level only; scan bodies have their own namespace). */
export function idAllocator(graph: Graph): (base: string) => string {
  const taken = new Set(graph.nodes.map((n) => n.id))
  return (base: string) => {
    let id = base
    for (let k = 2; taken.has(id); k++) id = `${base}_${k}`
    taken.add(id)
    return id
  }
}

/** Number of references to each node id from nodes and outputs of the graph. */
export function useCounts(graph: Graph): Map<string, number> {
  const counts = new Map<string, number>()
  const count = (r: Ref) => {
    const { node } = parseRef(r)
    counts.set(node, (counts.get(node) ?? 0) + 1)
  }
  for (const n of graph.nodes) n.inputs.forEach(count)
  for (const o of graph.outputs) count(o.ref)
  return counts
}

/** The nodes that read each ref, and whether a graph output names it. */
export function consumers(graph: Graph): Map<Ref, Node[]> {
  const out = new Map<Ref, Node[]>()
  for (const n of graph.nodes)
    for (const r of n.inputs) {
      const list = out.get(r) ?? []
      if (!list.includes(n)) list.push(n)
      out.set(r, list)
    }
  return out
}

/** Rewrites references through `map` (refs not in the map stay). */
export function renameRefs(
  nodes: readonly Node[],
  outputs: readonly GraphOutput[],
  map: ReadonlyMap<Ref, Ref>,
) {
  const fix = (r: Ref) => map.get(r) ?? r
  return {
    nodes: nodes.map((n) => (n.inputs.some((r) => map.has(r)) ? { ...n, inputs: n.inputs.map(fix) } : n)),
    outputs: outputs.map((o) => (map.has(o.ref) ? { ...o, ref: fix(o.ref) } : o)),
  }
}

/** Applies `rewrite` to every scan body, innermost first, then to the graph itself. */
export function everyLevel(graph: Graph, rewrite: (g: Graph) => Graph): Graph {
  const nodes = graph.nodes.map((n) => {
    if (n.op !== 'scan') return n
    const a = n.attrs
    return { ...n, attrs: { ...a, body: everyLevel(a.body, rewrite) } } as Node
  })
  return rewrite({ ...graph, nodes })
}

export const node = <K extends Node['op']>(
  id: string,
  op: K,
  inputs: readonly Ref[],
  attrs: Attrs<K>,
): Node => ({ id, op, inputs, attrs }) as Node

export { leafName } from '@cellgraph/graph'

export { parseRef, ref }
