import './styles.css'
import { IsolatedParser } from './cell/isolatedParser.js'
import { dslTemplates } from './cell/templates.js'
import { CellStore } from './cellStore.js'
import { mountCellView } from './views/cellView.js'
import { mountCompilerView } from './views/compilerView.js'
import { mountDiagramView } from './views/diagramView.js'
import { mountTrainView } from './views/trainView.js'
import { WorkerClient } from './worker/client.js'

const parser = new IsolatedParser()
const store = new CellStore(dslTemplates.lstm!, 'dsl', { input: 3, hidden: 4 }, (text, form, sizes) =>
  parser.parse(text, form, sizes),
)
// Two workers: compiling and checking gradients need not wait for a training run.
const compilerWorker = new WorkerClient()
const trainingWorker = new WorkerClient()
let current = 'cell'
const shown: Record<string, () => void> = {}

// Tabs: one view visible at a time; a view refreshes when it is shown.
const tabs = [...document.querySelectorAll<HTMLButtonElement>('#tabs button')]
for (const tab of tabs)
  tab.addEventListener('click', () => {
    current = tab.dataset.view!
    for (const t of tabs) t.classList.toggle('active', t === tab)
    for (const view of document.querySelectorAll('.view'))
      view.classList.toggle('active', view.id === `view-${current}`)
    shown[current]?.()
  })

mountCellView(store)
mountDiagramView(store)
shown.compiler = mountCompilerView(store, compilerWorker, () => current === 'compiler')
shown.train = mountTrainView(store, trainingWorker, compilerWorker)
// For the end-to-end tests and the curious: the current cell state.
Object.assign(globalThis, { cellgraphPlayground: { store } })
