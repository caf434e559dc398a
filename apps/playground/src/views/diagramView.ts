import { type Cell, printGraph } from '@cellgraph/graph'
import type { CellStore } from '../cellStore.js'
import { layoutDiagram } from '../diagram/layout.js'
import { diagramOf, nodeDetails } from '../diagram/model.js'
import { renderDiagram } from '../diagram/render.js'
import { byId } from './dom.js'

/** The diagram of the last cell that parsed, redrawn as the text changes; a click shows a node. */
export function mountDiagramView(store: CellStore): void {
  const container = byId('diagram')
  const details = byId('node-details')
  let drawn: Cell | undefined
  let printed = ''

  store.subscribe((state) => {
    container.classList.toggle('stale', !state.parsed.ok)
    const cell = state.lastGood
    if (!cell || cell === drawn) return
    drawn = cell
    printed = printGraph(cell.graph, cell.name)
    const svg = renderDiagram(layoutDiagram(diagramOf(cell)))
    container.replaceChildren(svg)
    container.dataset.cell = cell.name
    details.textContent = 'Click a node to see its shape and its line in the printed IR.'
  })

  container.addEventListener('click', (event) => {
    const group = (event.target as Element).closest<SVGGElement>('g[data-node]')
    if (!group || !drawn) return
    for (const g of container.querySelectorAll('g.selected')) g.classList.remove('selected')
    group.classList.add('selected')
    const id = group.dataset.node!
    const { shape, line, params } = nodeDetails(drawn.graph, printed, id)
    details.textContent = `%${id}  ${shape}\n${line}${params.length ? `\nparameters: ${params.join(', ')}` : ''}`
  })
}
