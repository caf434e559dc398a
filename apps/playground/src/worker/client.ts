import type { TrainEvent } from '../train/session.js'
import type { Answer, Request, Results } from './protocol.js'

type Call = Request extends infer R
  ? R extends { type: infer T; id: number }
    ? Omit<R, 'id'> & { type: T }
    : never
  : never

/** The page's side of a worker: requests as promises. */
export class WorkerClient {
  private readonly worker: Worker
  private next = 1
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()

  /** Training progress, as the worker reports it. */
  onEvent: (event: TrainEvent) => void = () => {}

  constructor() {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })
    this.worker.onmessage = (event: MessageEvent<Answer>) => {
      const answer = event.data
      if (answer.type === 'event') return this.onEvent(answer.event)
      const waiting = this.pending.get(answer.id)
      if (!waiting) return
      this.pending.delete(answer.id)
      if (answer.type === 'result') waiting.resolve(answer.value)
      else waiting.reject(new Error(answer.message))
    }
    // A worker that fails to load or throws outside a request fails every waiting request,
    // so no button waits forever.
    this.worker.onerror = (event: ErrorEvent) => {
      event.preventDefault()
      const error = new Error(`the worker failed: ${event.message || 'it could not be loaded'}`)
      for (const waiting of this.pending.values()) waiting.reject(error)
      this.pending.clear()
    }
  }

  call<T extends Call['type']>(request: Extract<Call, { type: T }>): Promise<Results[T & keyof Results]> {
    const id = this.next++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.worker.postMessage({ ...request, id } as Request)
    })
  }
}
