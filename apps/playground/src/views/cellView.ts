import { builtinCells, cellToJson } from '@cellgraph/graph'
import type { CellForm } from '../cell/parse.js'
import { dslTemplates } from '../cell/templates.js'
import type { CellStore } from '../cellStore.js'
import { createEditor } from '../editor.js'
import { byId } from './dom.js'

/** The cell view: starting points, the editor with live validation, and the status line. */
export function mountCellView(store: CellStore): void {
  const start = byId<HTMLSelectElement>('starting-point')
  const form = byId<HTMLSelectElement>('form')
  const input = byId<HTMLInputElement>('size-input')
  const hidden = byId<HTMLInputElement>('size-hidden')
  const status = byId('cell-status')
  for (const name of Object.keys(dslTemplates)) start.add(new Option(name, name))
  start.value = 'lstm'
  form.value = store.state.form
  input.value = String(store.state.sizes.input)
  hidden.value = String(store.state.sizes.hidden)

  let debounce: ReturnType<typeof setTimeout> | undefined
  const editor = createEditor(byId('editor'), (text) => {
    clearTimeout(debounce)
    debounce = setTimeout(() => void store.update({ text }), 150)
  })
  editor.setText(store.state.text, store.state.form)

  const loadStartingPoint = () => {
    const f = form.value as CellForm
    const text =
      f === 'dsl' ? dslTemplates[start.value]! : cellToJson(builtinCells[start.value]!(store.state.sizes))
    editor.setText(text, f)
    clearTimeout(debounce)
    void store.update({ text, form: f })
  }
  start.addEventListener('change', loadStartingPoint)
  form.addEventListener('change', () => {
    // DSL → JSON keeps the current cell; JSON → DSL starts from the chosen built-in's code.
    const { parsed } = store.state
    if (form.value === 'json' && parsed.ok) {
      const text = cellToJson(parsed.cell)
      editor.setText(text, 'json')
      void store.update({ text, form: 'json' })
    } else loadStartingPoint()
  })
  const sizesChanged = () => {
    const sizes = { input: Number(input.value), hidden: Number(hidden.value) }
    if (
      Number.isInteger(sizes.input) &&
      sizes.input > 0 &&
      Number.isInteger(sizes.hidden) &&
      sizes.hidden > 0
    )
      void store.update({ sizes })
  }
  input.addEventListener('change', sizesChanged)
  hidden.addEventListener('change', sizesChanged)

  store.subscribe((state) => {
    const { parsed } = state
    editor.showError(parsed.ok ? undefined : parsed.error)
    status.className = parsed.ok ? 'ok' : 'error'
    status.textContent = parsed.ok
      ? `${parsed.cell.name}: ${parsed.cell.graph.nodes.length} nodes, state ${parsed.cell.state.join(', ')}`
      : `line ${parsed.error.line}: ${parsed.error.message}`
  })
}
