/** How a job's arguments are read, and whether the job is split into chunks the threads claim. */
export interface JobSpec {
  readonly name: string
  /** Indices of the arguments that are float32 (stored by bit pattern). */
  readonly floatArgs: readonly number[]
  /**
   * A job over a range of work items (panels): arguments `from` and `to` are the range of one
   * call, `chunk` the number of items a thread claims at a time. Both threads claim chunks from
   * the NEXT counter until the range `[NEXT at post, args[to])` is used up.
   */
  readonly chunked?: { readonly from: number; readonly to: number; readonly chunk: number }
}

/** What the calling thread sends a helper once: the compiled kernels and the shared memories. */
export interface HelperInit {
  readonly module: WebAssembly.Module
  readonly memory: WebAssembly.Memory
  /** Int32 slots, see `slot`. */
  readonly control: SharedArrayBuffer
  /** Job specs by job number. */
  readonly jobs: readonly JobSpec[]
  readonly spins: number
}

/** Control block layout (Int32 indices); arguments follow ARGS, floats stored by bit pattern. */
export const slot = { SEQ: 0, DONE: 1, JOB: 2, FAILED: 3, NEXT: 4, ARGS: 5 } as const
export const STOP_JOB = -1
export const MAX_ARGS = 16

/**
 * The helper thread's whole program. It is stringified into the worker's source, so it must not
 * reference anything outside itself: layout numbers are repeated literally (a test checks them).
 * It sleeps on SEQ, runs the posted job on its own instance of the kernels over the shared
 * memory (a chunked job: claiming chunks until none are left), then publishes DONE = SEQ.
 */
export function helperMain(
  listen: (onInit: (init: HelperInit) => void) => void,
  post: (message: string) => void,
) {
  listen((init) => {
    const SEQ = 0
    const DONE = 1
    const JOB = 2
    const FAILED = 3
    const NEXT = 4
    const ARGS = 5
    const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } })
    const exportsByJob = init.jobs.map((job) => instance.exports[job.name] as (...args: number[]) => void)
    const control = new Int32Array(init.control)
    const floats = new Float32Array(init.control)
    post('ready')
    let seen = 0
    const args: number[] = new Array(16).fill(0)
    for (;;) {
      let spins = 0
      while (Atomics.load(control, SEQ) === seen) {
        if (++spins > init.spins) Atomics.wait(control, SEQ, seen)
      }
      seen = Atomics.load(control, SEQ)
      const job = control[JOB]!
      if (job < 0) return
      const spec = init.jobs[job]!
      for (let i = 0; i < 16; i++)
        args[i] = spec.floatArgs.includes(i) ? floats[ARGS + i]! : control[ARGS + i]!
      const run = exportsByJob[job]!
      try {
        const range = spec.chunked
        if (range) {
          const end = args[range.to]!
          const chunk = args[range.chunk]!
          for (;;) {
            const first = Atomics.add(control, NEXT, chunk)
            if (first >= end) break
            args[range.from] = first
            args[range.to] = Math.min(first + chunk, end)
            Reflect.apply(run, undefined, args)
          }
        } else Reflect.apply(run, undefined, args)
        control[FAILED] = 0
      } catch {
        control[FAILED] = 1
      }
      Atomics.store(control, DONE, seen)
      Atomics.notify(control, DONE)
    }
  })
}
