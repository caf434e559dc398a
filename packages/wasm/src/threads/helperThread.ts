import { fusedByColumns, fusedChunk, fusedUnits } from './fusedChunk.js'
import {
  type HelperInit,
  helperMain,
  type JobSpec,
  LOAD_FUSED_JOB,
  MAX_ARGS,
  STOP_JOB,
  slot,
} from './workerMain.js'

interface WorkerHandle {
  post(init: HelperInit): void
  onMessage(handler: (message: unknown) => void, onError: (error: unknown) => void): void
  terminate(): void
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node
/** The fused-kernel chunking functions, as source for the helper's program. */
const chunking = `${fusedByColumns.toString()}, ${fusedUnits.toString()}, ${fusedChunk.toString()}`

/** A worker_threads Worker in Node, a Web Worker from a Blob URL in browsers. */
const spawnWorker = async (): Promise<WorkerHandle> => {
  if (isNode) {
    const { Worker } = await import('node:worker_threads')
    const source = `const { parentPort } = require('node:worker_threads');
(${helperMain.toString()})((f) => parentPort.once('message', f), (m) => parentPort.postMessage(m), ${chunking});`
    const worker = new Worker(source, { eval: true })
    worker.unref()
    return {
      post: (init) => worker.postMessage(init),
      onMessage: (handler, onError) => {
        worker.once('message', handler)
        worker.once('error', onError)
      },
      terminate: () => void worker.terminate(),
    }
  }
  const source = `(${helperMain.toString()})((f) => { self.onmessage = (e) => f(e.data) }, (m) => self.postMessage(m), ${chunking});`
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }))
  const worker = new Worker(url)
  return {
    post: (init) => worker.postMessage(init),
    onMessage: (handler, onError) => {
      worker.onmessage = (e) => handler(e.data)
      worker.onerror = onError
    },
    terminate: () => worker.terminate(),
  }
}

const NO_FLOATS: readonly number[] = []

/** How long one wait for the helper blocks before it counts as a stall and waits again (ms). */
export const STALL_TICK_MS = 0.1

/**
 * A second thread running kernel jobs on the same shared memory. `post` starts a job and returns
 * at once; `wait` blocks until it is done. Signalling is Atomics on a small SharedArrayBuffer
 * (microseconds), never postMessage. A chunked job's work items are claimed by both threads with
 * `claim` (the caller works too), so a helper that starts late or runs slow only takes less.
 */
export class HelperThread {
  /**
   * How often the calling thread, done with its share, has spun and then blocked for about
   * STALL_TICK_MS waiting for the helper: a count, so that measuring allocates nothing.
   */
  stallTicks = 0
  private seq = 0
  private canBlock = true
  private busy = false
  private stopped = false

  private constructor(
    private readonly worker: WorkerHandle,
    private readonly control: Int32Array,
    private readonly floats: Float32Array,
    private readonly jobs: readonly JobSpec[],
    private readonly spins: number,
  ) {}

  static async start(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    jobs: readonly JobSpec[],
    spins = 4000,
  ): Promise<HelperThread> {
    if (!(memory.buffer instanceof SharedArrayBuffer)) {
      throw new Error('threads: the memory must be shared (new WebAssembly.Memory({ ..., shared: true }))')
    }
    const buffer = new SharedArrayBuffer((slot.ARGS + MAX_ARGS) * 4)
    const worker = await spawnWorker()
    await new Promise<void>((resolve, reject) => {
      worker.onMessage(
        (message) =>
          message === 'ready' ? resolve() : reject(new Error(`threads: unexpected '${message}'`)),
        (error) => reject(new Error(`threads: the helper failed to start: ${error}`)),
      )
      worker.post({ module, memory, control: buffer, jobs, spins })
    })
    return new HelperThread(worker, new Int32Array(buffer), new Float32Array(buffer), jobs, spins)
  }

  /** Starts a job; a chunked one hands out its items from `first` on (see `claim`). */
  post(job: number, args: ArrayLike<number>, first = 0, count = args.length): void {
    if (this.stopped) throw new Error('threads: the kernels were disposed; create new ones')
    if (this.busy) throw new Error('threads: a job is already running on the helper')
    // the fused-kernel jobs (negative numbers) take only integers
    const floats = job >= 0 ? this.jobs[job]!.floatArgs : NO_FLOATS
    for (let i = 0; i < count; i++) {
      if (floats.includes(i)) this.floats[slot.ARGS + i] = args[i]!
      else this.control[slot.ARGS + i] = args[i]!
    }
    this.control[slot.JOB] = job
    Atomics.store(this.control, slot.NEXT, first)
    this.busy = true
    Atomics.store(this.control, slot.SEQ, ++this.seq)
    Atomics.notify(this.control, slot.SEQ)
  }

  /** Claims the next `count` items of the running chunked job: returns the first (past the end: none left). */
  claim(count: number): number {
    return Atomics.add(this.control, slot.NEXT, count)
  }

  wait(): void {
    let spins = 0
    while (Atomics.load(this.control, slot.DONE) !== this.seq) {
      if (++spins <= this.spins) continue
      spins = 0
      this.stallTicks++
      if (!this.canBlock) continue
      try {
        Atomics.wait(this.control, slot.DONE, this.seq - 1, STALL_TICK_MS)
      } catch {
        this.canBlock = false // a browser's main thread may not block: keep spinning
      }
    }
    this.busy = false
    if (this.control[slot.FAILED]) {
      const job = this.control[slot.JOB]!
      const name =
        job >= 0 ? this.jobs[job]!.name : job === LOAD_FUSED_JOB ? 'load fused kernel' : 'fused kernel'
      throw new Error(`threads: job '${name}' trapped on the helper`)
    }
  }

  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.control[slot.JOB] = STOP_JOB
    Atomics.store(this.control, slot.SEQ, ++this.seq)
    Atomics.notify(this.control, slot.SEQ)
    this.worker.terminate()
  }
}
