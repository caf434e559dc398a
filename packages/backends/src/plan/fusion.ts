import {
  type Graph,
  type GraphTypes,
  type Node,
  ops,
  parseRef,
  sameType,
  type ValueType,
} from '@cellgraph/graph'

/**
 * A fused pointwise kernel: a set of elementwise nodes over one iteration space (`type`) computed
 * in one pass over memory. It runs where its last member stands in the node order; `stored` are
 * the members whose values are read outside the kernel (the others live only in registers).
 */
export interface FusedKernel {
  readonly type: ValueType
  readonly members: readonly Node[]
  readonly stored: ReadonlySet<string>
}

/** Elementwise nodes that can be members: pointwise ops, broadcasts, and feature slices (as strided reads). */
export const isFusable = (n: Node): boolean =>
  ops[n.op].kind === 'pointwise' || n.op === 'broadcastLike' || n.op === 'slice'

/**
 * Partitions the elementwise nodes of one graph level into fused kernels (pass 5). A node joins
 * the kernels over the same iteration space (its inputs' first) unless that would move a value
 * past one of its readers; a slice reads its input from memory, so never joins its input's kernel.
 */
export function fusePointwise(graph: Graph, types: GraphTypes): FusedKernel[] {
  const position = new Map(graph.nodes.map((n, i) => [n.id, i]))
  const readers = new Map<string, number[]>()
  for (const n of graph.nodes)
    for (const r of n.inputs) {
      const id = parseRef(r).node
      readers.set(id, [...(readers.get(id) ?? []), position.get(n.id)!])
    }
  const outputIds = new Set(graph.outputs.map((o) => parseRef(o.ref).node))
  const groupOf = new Map<string, Node[]>()
  for (const n of graph.nodes) {
    if (!isFusable(n)) continue
    const type = types.of(n.id)
    const here = position.get(n.id)!
    let group: Node[] = [n]
    // Join the kernels of the inputs first, then any other kernel over the same space (siblings
    // such as the gates of a cell), as long as no reader outside would run before the kernel.
    const fromInputs = n.op === 'slice' ? [] : n.inputs.map((r) => groupOf.get(parseRef(r).node))
    const candidates = new Set([...fromInputs, ...[...new Set(groupOf.values())].reverse()])
    for (const candidate of candidates) {
      if (!candidate || candidate === group || !sameType(types.of(candidate[0]!.id), type)) continue
      const merged = [...candidate, ...group.filter((m) => !candidate.includes(m))]
      const ids = new Set(merged.map((m) => m.id))
      if (merged.some((m) => m.op === 'slice' && ids.has(parseRef(m.inputs[0]!).node))) continue
      const readBefore = (m: Node) =>
        (readers.get(m.id) ?? []).some((p) => p < here && !ids.has(graph.nodes[p]!.id))
      if (merged.some(readBefore)) continue
      group = merged
    }
    group.sort((a, b) => position.get(a.id)! - position.get(b.id)!)
    for (const m of group) groupOf.set(m.id, group)
  }
  const kernels: FusedKernel[] = []
  for (const group of new Set(groupOf.values())) {
    const ids = new Set(group.map((m) => m.id))
    const stored = new Set(
      group
        .filter(
          (m) => outputIds.has(m.id) || (readers.get(m.id) ?? []).some((p) => !ids.has(graph.nodes[p]!.id)),
        )
        .map((m) => m.id),
    )
    kernels.push({ type: types.of(group[0]!.id), members: group, stored })
  }
  return kernels
}

/** The fused kernels of one level as text, one kernel a line: for traces and snapshot tests. */
export function printFusion(kernels: readonly FusedKernel[]): string {
  return kernels
    .map((k) => {
      const [layout, f] = [k.type.layout, k.type.shape.join('x')]
      const body = k.members
        .map((m) => `%${m.id} = ${m.op} ${m.inputs.map((r) => `%${r}`).join(', ')}`)
        .join('; ')
      return `kernel ${layout}[${f}] { ${body} } stores ${[...k.stored].map((s) => `%${s}`).join(', ')}`
    })
    .join('\n')
}
