import './styles.css'
import { dslTemplates } from './cell/templates.js'
import { CellStore } from './cellStore.js'
import { mountCellView } from './views/cellView.js'
import { mountDiagramView } from './views/diagramView.js'

const store = new CellStore(dslTemplates.lstm!, 'dsl', { input: 3, hidden: 4 })

// Tabs: one view visible at a time.
const tabs = [...document.querySelectorAll<HTMLButtonElement>('#tabs button')]
for (const tab of tabs)
  tab.addEventListener('click', () => {
    for (const t of tabs) t.classList.toggle('active', t === tab)
    for (const view of document.querySelectorAll('.view'))
      view.classList.toggle('active', view.id === `view-${tab.dataset.view}`)
  })

mountCellView(store)
mountDiagramView(store)
// For the end-to-end tests and the curious: the current cell state.
Object.assign(globalThis, { cellgraphPlayground: { store } })
