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
 * Most members of one fused kernel. Bounds the depth of its expression (code generators walk it
 * recursively) and keeps fusing linear in the graph's size: a chain of 10⁵ pointwise nodes makes
 * 391 kernels.
 */
export const MAX_FUSED_MEMBERS = 256
/**
 * Most operands of one fused kernel, counting every outside read and every member as a possible
 * output: a generated WebAssembly function takes two parameters per operand, and engines allow
 * at most 1,000.
 */
export const MAX_FUSED_OPERANDS = 480

/** An upper bound on a kernel's operands: reads from outside it, plus its members (outputs). */
function operandBound(members: readonly Node[], ids: ReadonlySet<string>): number {
  let reads = 0
  for (const m of members) for (const r of m.inputs) if (!ids.has(parseRef(r).node)) reads++
  return reads + members.length
}

/** Most sibling kernels a node tries to join, the most recent first. */
const MAX_SIBLING_CANDIDATES = 64

const spaceKey = (t: ValueType) => `${t.layout}:${t.shape.join('x')}`

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
      let list = readers.get(id)
      if (!list) readers.set(id, (list = []))
      list.push(position.get(n.id)!)
    }
  const outputIds = new Set(graph.outputs.map((o) => parseRef(o.ref).node))
  const groupOf = new Map<string, Node[]>()
  // Kernels with room for more members, by iteration space, in the order of their first member:
  // a node looks only at these (the most recent first), so fusing stays linear in the graph.
  const open = new Map<string, Node[][]>()
  const first = (g: readonly Node[]) => position.get(g[0]!.id)!
  for (const n of graph.nodes) {
    if (!isFusable(n)) continue
    const type = types.of(n.id)
    const space = spaceKey(type)
    const here = position.get(n.id)!
    let group: Node[] = [n]
    const joined: Node[][] = []
    // Join the kernels of the inputs first, then any other kernel over the same space (siblings
    // such as the gates of a cell), as long as no reader outside would run before the kernel.
    const fromInputs = n.op === 'slice' ? [] : n.inputs.map((r) => groupOf.get(parseRef(r).node))
    const siblings = (open.get(space) ?? []).slice(-MAX_SIBLING_CANDIDATES).reverse()
    const candidates = new Set([...fromInputs, ...siblings])
    for (const candidate of candidates) {
      if (!candidate || candidate === group || !sameType(types.of(candidate[0]!.id), type)) continue
      if (candidate.length + group.length > MAX_FUSED_MEMBERS) continue
      const inCandidate = new Set(candidate)
      const merged = [...candidate, ...group.filter((m) => !inCandidate.has(m))]
      const ids = new Set(merged.map((m) => m.id))
      if (merged.some((m) => m.op === 'slice' && ids.has(parseRef(m.inputs[0]!).node))) continue
      if (operandBound(merged, ids) > MAX_FUSED_OPERANDS) continue
      const readBefore = (m: Node) =>
        (readers.get(m.id) ?? []).some((p) => p < here && !ids.has(graph.nodes[p]!.id))
      if (merged.some(readBefore)) continue
      group = merged
      joined.push(candidate)
    }
    group.sort((a, b) => position.get(a.id)! - position.get(b.id)!)
    for (const m of group) groupOf.set(m.id, group)
    let list = open.get(space)
    if (!list) open.set(space, (list = []))
    for (const candidate of joined) {
      const at = list.lastIndexOf(candidate)
      if (at >= 0) list.splice(at, 1)
    }
    if (group.length < MAX_FUSED_MEMBERS) {
      let at = list.length
      while (at > 0 && first(list[at - 1]!) > first(group)) at--
      list.splice(at, 0, group)
    }
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
