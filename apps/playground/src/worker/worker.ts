/// <reference lib="webworker" />
import { compilerReport } from '../compiler/report.js'
import { backendFor } from './backends.js'
import { checkGradients } from './gradcheck.js'
import type { Answer, Request } from './protocol.js'
import { TrainingController } from './training.js'

// The page's heavy work (compiling, training, checking gradients) runs here, so the page stays
// responsive.
const post = (answer: Answer) => (self as unknown as Worker).postMessage(answer)
const training = new TrainingController((event) => post({ type: 'event', event }))

async function handle(request: Request): Promise<unknown> {
  switch (request.type) {
    case 'compile':
      return compilerReport(request.cell, await backendFor(request.backend))
    case 'gradcheck':
      return checkGradients(request.cell)
    case 'train': {
      const backend = await backendFor(request.setup.backend)
      const started = await training.start(backend, request.setup, request.bytes)
      const adapter = (backend as { adapterName?: string }).adapterName
      return { ...started, backend: adapter ? `${backend.name} (${adapter})` : backend.name }
    }
    case 'stop':
      return training.stop()
    case 'resume':
      return training.resume(request.steps)
    case 'save':
      return training.save()
  }
}

self.onmessage = async (event: MessageEvent<Request>) => {
  const request = event.data
  try {
    post({ type: 'result', id: request.id, value: await handle(request) })
  } catch (e) {
    post({ type: 'error', id: request.id, message: e instanceof Error ? e.message : String(e) })
  }
}
