import type { Graph, Node } from '@cellgraph/graph'
import { everyLevel, parseRef, useCounts } from './edit.js'

/**
 * Removes nodes nobody reads (leaves of the top graph stay: callers bind them) and scan inputs
 * whose body leaf is unused (a scan keeps at least one sequence, which gives it its length).
 */
export function removeDeadCode(graph: Graph): Graph {
  const pruned = everyLevel(dropUnread(graph, true), (g) => ({ ...g, nodes: g.nodes.map(pruneScanInputs) }))
  return dropUnread(pruned, true)
}

function dropUnread(g: Graph, keepLeaves: boolean): Graph {
  const live = new Set(g.outputs.map((o) => parseRef(o.ref).node))
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n = g.nodes[k]!
    if (!live.has(n.id)) continue
    for (const r of n.inputs) live.add(parseRef(r).node)
  }
  // Sets, not array scans: a deep stack has hundreds of leaves and thousands of nodes.
  const leaves = new Set(g.inputs)
  const nodes = g.nodes
    .filter((n) => live.has(n.id) || (keepLeaves && leaves.has(n.id)))
    .map((n) => {
      if (n.op !== 'scan') return n
      const a = n.attrs
      return { ...n, attrs: { ...a, body: dropUnread(a.body, true) } } as Node
    })
  const kept = new Set(nodes.map((n) => n.id))
  return { ...g, nodes, inputs: g.inputs.filter((id) => kept.has(id)) }
}

function pruneScanInputs(n: Node): Node {
  if (n.op !== 'scan') return n
  const a = n.attrs
  const uses = useCounts(a.body)
  const keep = a.body.inputs.map((id, i) => {
    if (i < a.carries) return true
    return (uses.get(id) ?? 0) > 0
  })
  const firstSeq = a.carries
  if (!keep.slice(firstSeq, firstSeq + a.sequences).some(Boolean)) keep[firstSeq] = true
  if (keep.every(Boolean)) return n
  const dropped = new Set(a.body.inputs.filter((_, i) => !keep[i]))
  const sequences = keep.slice(firstSeq, firstSeq + a.sequences).filter(Boolean).length
  const body: Graph = {
    ...a.body,
    inputs: a.body.inputs.filter((id) => !dropped.has(id)),
    nodes: a.body.nodes.filter((m) => !dropped.has(m.id)),
  }
  return { ...n, inputs: n.inputs.filter((_, i) => keep[i]), attrs: { ...a, body, sequences } } as Node
}
