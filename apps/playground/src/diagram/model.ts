import { type Cell, formatType, type Graph, type Node, ops, parseRef, verify } from '@cellgraph/graph'

/**
 * A cell as the seed's diagrams draw it: learned layers as boxes, pointwise ops as circles,
 * concatenation as lines merging at a dot, a value used twice as a fork, and the state lines
 * entering on the left and leaving on the right. Parameters that only feed a layer belong to
 * its box and are not drawn.
 */
export type DiagramNodeKind =
  | 'state-in'
  | 'input'
  | 'state-out'
  | 'output'
  | 'layer'
  | 'pointwise'
  | 'merge'
  | 'fork'
  | 'param'
  | 'constant'
  | 'op'

export interface DiagramNode {
  readonly id: string
  readonly kind: DiagramNodeKind
  readonly label: string
  /** The graph node it draws (absent for forks and the output terminals' own boxes). */
  readonly graphId?: string
}

export interface DiagramEdge {
  readonly from: string
  readonly to: string
  /** On a state line: from a state to the op reading it, or into a new state. */
  readonly state: boolean
}

export interface DiagramModel {
  readonly nodes: readonly DiagramNode[]
  readonly edges: readonly DiagramEdge[]
}

const symbols: Record<string, string> = {
  add: '+',
  sub: '−',
  mul: '×',
  div: '÷',
  neg: '−x',
  oneMinus: '1−',
  sigmoid: 'σ',
  tanh: 'tanh',
  relu: 'relu',
  exp: 'exp',
  log: 'log',
  sqrt: '√',
  rsqrt: '1/√',
  max: 'max',
  min: 'min',
  greater: '>',
  isfinite: 'finite?',
  clamp: 'clamp',
  where: 'where',
}
const activationSymbols: Record<string, string> = { sigmoid: 'σ', tanh: 'tanh', relu: 'relu', identity: '' }

const kindOf = (node: Node): DiagramNodeKind => {
  if (node.op === 'state') return 'state-in'
  if (node.op === 'input') return 'input'
  if (node.op === 'layer') return 'layer'
  if (node.op === 'concat') return 'merge'
  if (node.op === 'param') return 'param'
  if (node.op === 'constant') return 'constant'
  return ops[node.op].kind === 'pointwise' ? 'pointwise' : 'op'
}

function labelOf(node: Node, kind: DiagramNodeKind): string {
  const attrs = node.attrs as Record<string, unknown>
  if (kind === 'state-in' || kind === 'input') return String(attrs.name)
  if (kind === 'layer') return `${node.id} ${activationSymbols[String(attrs.activation)] ?? ''}`.trim()
  if (kind === 'pointwise') return symbols[node.op] ?? node.op
  if (kind === 'constant') return String(attrs.value)
  if (kind === 'param') return String(attrs.name)
  return kind === 'merge' ? '' : node.op
}

export function diagramOf(cell: Cell): DiagramModel {
  const { graph } = cell
  const consumers = new Map<string, string[]>()
  const use = (producer: string, consumer: string) => {
    const list = consumers.get(producer) ?? []
    list.push(consumer)
    consumers.set(producer, list)
  }
  // Parameters read only by layers are drawn inside the layer's box.
  const folded = new Set(
    graph.nodes
      .filter((n) => n.op === 'param')
      .map((n) => n.id)
      .filter((id) =>
        graph.nodes.every((m) => !m.inputs.some((r) => parseRef(r).node === id) || m.op === 'layer'),
      ),
  )
  const drawn = graph.nodes.filter((n) => !folded.has(n.id))
  const nodes: DiagramNode[] = drawn.map((n) => {
    const kind = kindOf(n)
    return { id: n.id, kind, label: labelOf(n, kind), graphId: n.id }
  })
  for (const n of drawn)
    for (const r of n.inputs) {
      const from = parseRef(r).node
      if (!folded.has(from)) use(from, n.id)
    }
  graph.outputs.forEach((o, k) => {
    const id = `out:${o.name}`
    const isState = k < cell.state.length
    nodes.push({ id, kind: isState ? 'state-out' : 'output', label: isState ? `${o.name}′` : o.name })
    use(parseRef(o.ref).node, id)
  })
  const edges: DiagramEdge[] = []
  for (const [producer, list] of consumers) {
    if (list.length === 1) {
      edges.push({ from: producer, to: list[0]!, state: false })
      continue
    }
    // A value read more than once forks: one line to a fork point, then one line per reader.
    const fork = `fork:${producer}`
    nodes.push({ id: fork, kind: 'fork', label: '' })
    edges.push({ from: producer, to: fork, state: false })
    for (const c of list) edges.push({ from: fork, to: c, state: false })
  }
  const onStateLine = stateLines(edges, cell.state)
  return { nodes, edges: edges.map((e) => ({ ...e, state: onStateLine.has(`${e.from}>${e.to}`) })) }
}

/**
 * The state lines: for each state, the shortest path from where it enters (its leaf) to where
 * its new value leaves, as the seed draws the cell state running straight through the module.
 */
function stateLines(edges: readonly DiagramEdge[], states: readonly string[]): Set<string> {
  const out = new Map<string, string[]>()
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to])
  const marked = new Set<string>()
  for (const s of states) {
    const previous = new Map<string, string>([[s, '']])
    const queue = [s]
    while (queue.length > 0 && !previous.has(`out:${s}`)) {
      const at = queue.shift()!
      for (const next of out.get(at) ?? [])
        if (!previous.has(next)) {
          previous.set(next, at)
          queue.push(next)
        }
    }
    for (let at = `out:${s}`; previous.get(at); at = previous.get(at)!)
      marked.add(`${previous.get(at)}>${at}`)
  }
  return marked
}

/**
 * What clicking a node shows: its shape, its line in the printed IR and, for a layer, the
 * parameters inside its box.
 */
export function nodeDetails(
  graph: Graph,
  printed: string,
  graphId: string,
): { shape: string; line: string; params: string[] } {
  const types = verify(graph)
  const shapeOf = (id: string) => (types.byNode.get(id) ?? []).map(formatType).join(', ')
  const line = printed
    .split('\n')
    .find((l) => l.trim().startsWith(`%${graphId} `) || l.trim().startsWith(`%${graphId}:`))
  const node = graph.nodes.find((n) => n.id === graphId)
  const params =
    node?.op === 'layer'
      ? node.inputs
          .map((r) => parseRef(r).node)
          .filter((id) => graph.nodes.find((n) => n.id === id)?.op === 'param')
      : []
  return {
    shape: shapeOf(graphId),
    line: line?.trim() ?? '',
    params: params.map((p) => `%${p} ${shapeOf(p)}`),
  }
}
