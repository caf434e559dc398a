import type { CellSizes } from '@cellgraph/graph'
import type { CellForm, ParsedCell } from './parse.js'
import { sourceError } from './sourceError.js'

/** How long the cell's code may run before it is taken for an endless loop. */
export const PARSE_TIME_LIMIT_MS = 2000

/**
 * Parses the editor's text in a worker. Code that runs past the time limit is stopped (the worker
 * is replaced) and reported as an error, so the page never hangs on the user's code.
 */
export class IsolatedParser {
  private worker: Worker | undefined
  private next = 1

  parse(text: string, form: CellForm, sizes: CellSizes): Promise<ParsedCell> {
    const worker = (this.worker ??= new Worker(new URL('./parseWorker.ts', import.meta.url), {
      type: 'module',
    }))
    const id = this.next++
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        worker.terminate()
        if (this.worker === worker) this.worker = undefined
        resolve({
          ok: false,
          error: sourceError(
            text,
            0,
            `the code did not finish within ${PARSE_TIME_LIMIT_MS / 1000} s (an endless loop?)`,
          ),
        })
      }, PARSE_TIME_LIMIT_MS)
      const answer = (event: MessageEvent<{ id: number; parsed: ParsedCell }>) => {
        if (event.data.id !== id) return
        clearTimeout(timer)
        worker.removeEventListener('message', answer)
        resolve(event.data.parsed)
      }
      worker.addEventListener('message', answer)
      worker.postMessage({ id, text, form, sizes })
    })
  }
}
