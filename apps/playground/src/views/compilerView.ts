import type { Cell } from '@cellgraph/graph'
import { fillBackendMenu } from '../backendMenu.js'
import type { CellStore } from '../cellStore.js'
import type { CompilerReport } from '../compiler/report.js'
import { type BackendChoice, backendChoices } from '../worker/backends.js'
import type { WorkerClient } from '../worker/client.js'
import { byId, el } from './dom.js'

/**
 * What the compiler did with the current cell: the printed forward and backward graphs, the
 * passes before and after, the kernel plan and the generated code for the chosen backend. The
 * report is made in the worker when the view is shown and the cell or backend has changed.
 */
export function mountCompilerView(
  store: CellStore,
  worker: WorkerClient,
  isVisible: () => boolean,
): () => void {
  const show = byId<HTMLSelectElement>('compiler-show')
  const backend = byId<HTMLSelectElement>('compiler-backend')
  const pass = byId<HTMLSelectElement>('compiler-pass')
  const passLabel = byId('compiler-pass-label')
  const status = byId('compiler-status')
  const output = byId('compiler-output')
  void fillBackendMenu(backend, backendChoices, 'cpu-js')

  let report: CompilerReport | undefined
  let reportFor: { cell: Cell; backend: string } | undefined
  let generation = 0

  const column = (title: string, text: string) =>
    el('div', {}, el('h3', {}, title), el('pre', { class: 'code' }, text))
  // A pass's before and after, with the lines only one side has marked (removed, added).
  const compared = (title: string, text: string, other: string, mark: 'removed' | 'added') => {
    const theirs = new Set(other.split('\n'))
    const lines = text
      .split('\n')
      .map((line) => (theirs.has(line) ? `${line}\n` : el('span', { class: mark }, `${line}\n`)))
    return el('div', {}, el('h3', {}, title), el('pre', { class: 'code' }, ...lines))
  }

  const render = () => {
    passLabel.style.display = show.value === 'passes' ? '' : 'none'
    if (!report) return output.replaceChildren()
    const r = report
    switch (show.value) {
      case 'forward':
        return output.replaceChildren(column('forward graph', r.forward))
      case 'backward':
        return output.replaceChildren(column('backward graph (forward and gradients)', r.backward))
      case 'plan':
        return output.replaceChildren(column('kernel plan', r.plan))
      case 'kernels':
        return output.replaceChildren(...r.kernels.map((k) => column(`${r.backend}: ${k.name}`, k.text)))
      case 'passes': {
        const k = Math.max(1, Number(pass.value) || 1)
        const before = r.passes[k - 1]!.text
        const after = r.passes[k]!.text
        return output.replaceChildren(
          compared(`before ${r.passes[k]!.name}`, before, after, 'removed'),
          compared(`after ${r.passes[k]!.name}`, after, before, 'added'),
        )
      }
    }
  }

  const refresh = async () => {
    const cell = store.state.lastGood
    if (!isVisible() || !cell) return
    if (reportFor?.cell === cell && reportFor.backend === backend.value) return render()
    const mine = ++generation
    status.textContent = `compiling ${cell.name} for ${backend.value}…`
    try {
      const made = await worker.call({ type: 'compile', cell, backend: backend.value as BackendChoice })
      if (mine !== generation) return
      report = made
      reportFor = { cell, backend: backend.value }
      const chosen = pass.value
      pass.replaceChildren(...made.passes.slice(1).map((p, k) => new Option(p.name, String(k + 1))))
      if (chosen) pass.value = chosen
      status.textContent = `${cell.name} on ${made.backend}`
      output.dataset.cell = cell.name
      render()
    } catch (e) {
      if (mine === generation) status.textContent = `error: ${(e as Error).message}`
    }
  }

  show.addEventListener('change', render)
  pass.addEventListener('change', render)
  backend.addEventListener('change', refresh)
  store.subscribe(() => void refresh())
  return () => void refresh()
}
