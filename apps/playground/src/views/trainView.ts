import { downloadBytes, loadFromIndexedDB, saveToIndexedDB } from '@cellgraph/train'
import { fillBackendMenu } from '../backendMenu.js'
import type { CellStore } from '../cellStore.js'
import type { Task, TrainEvent, TrainSetup } from '../train/session.js'
import { type BackendChoice, backendChoices } from '../worker/backends.js'
import type { WorkerClient } from '../worker/client.js'
import { byId } from './dom.js'
import { LossChart } from './lossChart.js'

const STORED_MODEL = 'model'

/**
 * Training in the browser: the editor's cell on a task and backend, in its own Web Worker (the
 * page stays responsive), with a live loss chart, steps/s, stop and resume, samples, save and
 * load, and a gradient check.
 */
export function mountTrainView(store: CellStore, trainer: WorkerClient, checker: WorkerClient): () => void {
  const task = byId<HTMLSelectElement>('train-task')
  const backend = byId<HTMLSelectElement>('train-backend')
  const number = (id: string) => Number(byId<HTMLInputElement>(id).value)
  const lengthLabel = byId('train-length-label')
  const text = byId<HTMLTextAreaElement>('train-text')
  const start = byId<HTMLButtonElement>('train-start')
  const stop = byId<HTMLButtonElement>('train-stop')
  const resume = byId<HTMLButtonElement>('train-resume')
  const saveDownload = byId<HTMLButtonElement>('save-download')
  const saveBrowser = byId<HTMLButtonElement>('save-browser')
  const loadBrowser = byId<HTMLButtonElement>('load-browser')
  const loadFile = byId<HTMLInputElement>('load-file')
  const gradcheck = byId<HTMLButtonElement>('gradcheck')
  const status = byId('train-status')
  const gradcheckResult = byId('gradcheck-result')
  const stepLabel = byId('train-step')
  const lossLabel = byId('train-loss')
  const speedLabel = byId('train-speed')
  const sample = byId('train-sample')
  const chartParent = byId('loss-chart')
  let chart: LossChart | undefined

  void fillBackendMenu(backend, backendChoices, 'cpu').then((notes) => {
    byId('backend-notes').textContent = notes
  })

  const say = (message: string, failed = false) => {
    status.textContent = message
    status.className = failed ? 'failed' : ''
  }
  const setRunning = (running: boolean, trained: boolean) => {
    start.disabled = running
    stop.disabled = !running
    resume.disabled = running || !trained
    saveDownload.disabled = running || !trained
    saveBrowser.disabled = running || !trained
  }
  let trained = false

  task.addEventListener('change', () => {
    const adding = (task.value as Task) === 'adding'
    lengthLabel.textContent = adding ? 'sequence length' : 'window'
    text.disabled = adding
    byId<HTMLInputElement>('train-lr').value = adding ? '0.01' : '0.02'
    byId<HTMLInputElement>('train-batch').value = adding ? '32' : '16'
    byId<HTMLInputElement>('train-length').value = adding ? '50' : '32'
  })

  const setup = (): TrainSetup => {
    const { form, text: source } = store.state
    return {
      task: task.value as Task,
      backend: backend.value as BackendChoice,
      source: { form, text: source },
      hidden: number('train-hidden'),
      steps: number('train-steps'),
      batch: number('train-batch'),
      lr: number('train-lr'),
      length: number('train-length'),
      ...(text.value.trim() ? { text: text.value } : {}),
      seed: 1,
    }
  }

  trainer.onEvent = (event: TrainEvent) => {
    switch (event.kind) {
      case 'step':
        chart?.add(event.step, event.loss)
        stepLabel.textContent = `step ${event.step}`
        lossLabel.textContent = `loss ${event.loss.toFixed(4)}`
        speedLabel.textContent = `${event.stepsPerSecond.toFixed(1)} steps/s`
        return
      case 'sample':
        sample.textContent = `after step ${event.step}:\n${event.text}`
        return
      case 'state':
        trained = true
        setRunning(event.state === 'running', trained)
        if (event.state === 'failed') say(`training failed: ${event.note}`, true)
        else say(event.state === 'running' ? 'training…' : `${event.state} at ${stepLabel.textContent}`)
        chartParent.dataset.state = event.state
    }
  }

  const begin = async (bytes?: Uint8Array) => {
    if (!store.state.parsed.ok && !bytes)
      return say('fix the cell first: it has an error (see the Cell tab)', true)
    chart ??= new LossChart(chartParent)
    // The end-to-end tests read the curve from here.
    Object.assign(globalThis, { cellgraphLossChart: chart })
    chart.clear()
    setRunning(true, trained)
    say(bytes ? 'loading…' : 'compiling…')
    try {
      const info = await trainer.call({ type: 'train', setup: setup(), ...(bytes ? { bytes } : {}) })
      byId('train-description').textContent = `${info.description}\non ${info.backend}`
      if (bytes) {
        say(`loaded at step ${info.steps}: Resume continues`)
        stepLabel.textContent = `step ${info.steps}`
        trained = true
        setRunning(false, true)
      }
    } catch (e) {
      setRunning(false, trained)
      say((e as Error).message, true)
    }
  }

  start.addEventListener('click', () => void begin())
  stop.addEventListener('click', () => void trainer.call({ type: 'stop' }))
  resume.addEventListener('click', () => void trainer.call({ type: 'resume', steps: number('train-steps') }))

  const saved = async () => trainer.call({ type: 'save' })
  saveDownload.addEventListener('click', async () => {
    try {
      downloadBytes(await saved(), `${store.state.lastGood?.name ?? 'model'}-${task.value}.safetensors`)
    } catch (e) {
      say((e as Error).message, true)
    }
  })
  saveBrowser.addEventListener('click', async () => {
    try {
      const bytes = await saved()
      await saveToIndexedDB(STORED_MODEL, bytes)
      say(`saved in this browser (${bytes.length} bytes, IndexedDB)`)
    } catch (e) {
      say((e as Error).message, true)
    }
  })
  loadBrowser.addEventListener('click', async () => {
    const bytes = await loadFromIndexedDB(STORED_MODEL)
    if (!bytes) return say('no model saved in this browser yet', true)
    await begin(bytes)
  })
  loadFile.addEventListener('change', async () => {
    const file = loadFile.files?.[0]
    if (file) await begin(new Uint8Array(await file.arrayBuffer()))
    loadFile.value = ''
  })

  // Text to train on: pasted, or a dropped file.
  text.addEventListener('dragover', (e) => {
    e.preventDefault()
    text.classList.add('dragging')
  })
  text.addEventListener('dragleave', () => text.classList.remove('dragging'))
  text.addEventListener('drop', async (e) => {
    e.preventDefault()
    text.classList.remove('dragging')
    const file = e.dataTransfer?.files[0]
    if (file) text.value = await file.text()
  })

  gradcheck.addEventListener('click', async () => {
    const cell = store.state.lastGood
    if (!cell) return
    gradcheckResult.textContent = `checking ${cell.name}'s gradients against finite differences…`
    try {
      const r = await checker.call({ type: 'gradcheck', cell })
      gradcheckResult.textContent =
        `${cell.name}: worst relative error ${r.worst.toExponential(2)} (${r.leaf}) over ` +
        `${Object.keys(r.perLeaf).length} inputs, BPTT vs float64 central differences`
      gradcheckResult.dataset.worst = String(r.worst)
    } catch (e) {
      gradcheckResult.textContent = `gradient check failed: ${(e as Error).message}`
    }
  })

  return () => chart?.resize(chartParent.clientWidth)
}
