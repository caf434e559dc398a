/** What the calling thread sends a helper once: the compiled kernels and the shared memories. */
export interface HelperInit {
  readonly module: WebAssembly.Module
  readonly memory: WebAssembly.Memory
  /** Int32 slots, see `slot`. */
  readonly control: SharedArrayBuffer
  /** Export names by job number, and which of each one's arguments are float32. */
  readonly jobs: ReadonlyArray<{ readonly name: string; readonly floatArgs: readonly number[] }>
  readonly spins: number
}

/** Control block layout (Int32 indices); arguments follow ARGS, floats stored by bit pattern. */
export const slot = { SEQ: 0, DONE: 1, JOB: 2, FAILED: 3, ARGS: 4 } as const
export const STOP_JOB = -1
export const MAX_ARGS = 16

/**
 * The helper thread's whole program. It is stringified into the worker's source, so it must not
 * reference anything outside itself: layout numbers are repeated literally (checked by a test).
 * It sleeps on SEQ, runs the posted job on its own instance of the kernels over the shared
 * memory, then publishes DONE = SEQ.
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
    const ARGS = 4
    const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } })
    const exportsByJob = init.jobs.map((job) => instance.exports[job.name] as (...args: number[]) => void)
    const control = new Int32Array(init.control)
    const floats = new Float32Array(init.control)
    post('ready')
    let seen = 0
    for (;;) {
      let spins = 0
      while (Atomics.load(control, SEQ) === seen) {
        if (++spins > init.spins) Atomics.wait(control, SEQ, seen)
      }
      seen = Atomics.load(control, SEQ)
      const job = control[JOB]!
      if (job < 0) return
      const spec = init.jobs[job]!
      const args: number[] = []
      for (let i = 0; i < 16; i++)
        args.push(spec.floatArgs.includes(i) ? floats[ARGS + i]! : control[ARGS + i]!)
      try {
        exportsByJob[job]!(...args)
        control[FAILED] = 0
      } catch {
        control[FAILED] = 1
      }
      Atomics.store(control, DONE, seen)
      Atomics.notify(control, DONE)
    }
  })
}
