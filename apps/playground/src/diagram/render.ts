import type { DiagramLayout, Placed } from './layout.js'

const SVG = 'http://www.w3.org/2000/svg'

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  ...children: Node[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag)
  for (const [k, v] of Object.entries(attrs)) element.setAttribute(k, String(v))
  element.append(...children)
  return element
}

function text(label: string, x: number, y: number): SVGTextElement {
  const t = svg('text', { x, y, 'text-anchor': 'middle', 'dominant-baseline': 'central' })
  t.textContent = label
  return t
}

function shapeOf(n: Placed): SVGElement {
  const { x, y, width: w, height: h } = n
  switch (n.kind) {
    case 'merge':
    case 'fork':
      return svg('circle', { cx: x, cy: y, r: 3.5 })
    case 'pointwise':
      return svg('ellipse', { cx: x, cy: y, rx: w / 2, ry: h / 2 })
    case 'layer':
      return svg('rect', { x: x - w / 2, y: y - h / 2, width: w, height: h, rx: 3 })
    default:
      return svg('rect', { x: x - w / 2, y: y - h / 2, width: w, height: h, rx: h / 2 })
  }
}

/** The laid-out diagram as SVG; nodes carry `data-node` (their graph node id) for clicks. */
export function renderDiagram(layout: DiagramLayout): SVGSVGElement {
  const root = svg('svg', {
    class: 'cell-diagram',
    width: layout.width,
    height: layout.height,
    viewBox: `0 0 ${layout.width} ${layout.height}`,
  })
  root.append(
    svg(
      'defs',
      {},
      svg(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 8 8',
          refX: 7,
          refY: 4,
          markerWidth: 6,
          markerHeight: 6,
          orient: 'auto',
        },
        svg('path', { d: 'M0,0 L8,4 L0,8 z' }),
      ),
    ),
  )
  for (const e of layout.edges) {
    const d = e.points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')
    const toDot = layout.nodes.find((n) => n.id === e.to)
    const arrow = toDot && toDot.kind !== 'merge' && toDot.kind !== 'fork'
    root.append(
      svg('path', {
        d,
        class: e.state ? 'edge state' : 'edge',
        ...(arrow ? { 'marker-end': 'url(#arrow)' } : {}),
      }),
    )
  }
  for (const n of layout.nodes) {
    const group = svg(
      'g',
      { class: `node ${n.kind}`, ...(n.graphId ? { 'data-node': n.graphId } : {}) },
      shapeOf(n),
    )
    if (n.label) group.append(text(n.label, n.x, n.y))
    const title = svg('title', {})
    title.textContent = n.graphId ? `%${n.graphId}` : n.kind
    group.append(title)
    root.append(group)
  }
  return root
}
