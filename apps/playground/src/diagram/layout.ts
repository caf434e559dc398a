import dagre from '@dagrejs/dagre'
import type { DiagramModel, DiagramNode, DiagramNodeKind } from './model.js'

export interface Placed extends DiagramNode {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

export interface PlacedEdge {
  readonly from: string
  readonly to: string
  readonly state: boolean
  readonly points: readonly { x: number; y: number }[]
}

export interface DiagramLayout {
  readonly nodes: readonly Placed[]
  readonly edges: readonly PlacedEdge[]
  readonly width: number
  readonly height: number
}

const CHAR = 7.5 // px per label character at the diagram's font size

function sizeOf(kind: DiagramNodeKind, label: string): { width: number; height: number } {
  switch (kind) {
    case 'merge':
    case 'fork':
      return { width: 8, height: 8 }
    case 'pointwise': {
      const d = Math.max(30, label.length * CHAR + 10)
      return { width: d, height: 30 }
    }
    case 'layer':
      return { width: Math.max(48, label.length * CHAR + 20), height: 34 }
    default:
      return { width: Math.max(34, label.length * CHAR + 16), height: 24 }
  }
}

/** Lays the diagram out left to right (states in on the left, new states out on the right). */
export function layoutDiagram(model: DiagramModel): DiagramLayout {
  const g = new dagre.graphlib.Graph()
  g.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 34, marginx: 12, marginy: 12 })
  g.setDefaultEdgeLabel(() => ({}))
  for (const n of model.nodes) g.setNode(n.id, { ...sizeOf(n.kind, n.label) })
  for (const e of model.edges) g.setEdge(e.from, e.to)
  dagre.layout(g)
  const nodes = model.nodes.map((n) => {
    const p = g.node(n.id)
    return { ...n, x: p.x, y: p.y, width: p.width, height: p.height }
  })
  const edges = model.edges.map((e) => ({ ...e, points: g.edge(e.from, e.to).points ?? [] }))
  const graph = g.graph()
  return { nodes, edges, width: graph.width ?? 0, height: graph.height ?? 0 }
}
