import type { fusedByColumns, fusedChunk, fusedUnits } from './fusedChunk.js'

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
/**
 * Loads a fused kernel: args = [id, byte offset of its module's binary in the shared memory, its
 * length, operand count, then each operand's flags (see fusedChunk)].
 */
export const LOAD_FUSED_JOB = -2
/** Runs a loaded fused kernel in chunks: args = [id, chunk units, rows, cols, ptr₀, ld₀, ...]. */
export const RUN_FUSED_JOB = -3
export const MAX_ARGS = 128

/**
 * The helper thread's whole program. It is stringified into the worker's source, so it must not
 * reference anything outside itself: layout numbers are repeated literally (a test checks them).
 * It sleeps on SEQ, runs the posted job on its own instance of the kernels over the shared
 * memory (a chunked job: claiming chunks until none are left), then publishes DONE = SEQ.
 */
export function helperMain(
  listen: (onInit: (init: HelperInit) => void) => void,
  post: (message: string) => void,
  byColumns: typeof fusedByColumns,
  units: typeof fusedUnits,
  chunkArgs: typeof fusedChunk,
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
    const LOAD_FUSED_JOB = -2
    const RUN_FUSED_JOB = -3
    const fused: { run: (...args: number[]) => void; operands: number; flags: number[]; chunk: number[] }[] =
      []
    const loadFused = () => {
      const [id, offset, length, operands] = [
        control[ARGS]!,
        control[ARGS + 1]!,
        control[ARGS + 2]!,
        control[ARGS + 3]!,
      ]
      const bytes = new Uint8Array(length)
      bytes.set(new Uint8Array(init.memory.buffer, offset, length))
      const loaded = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: init.memory } })
      const flags = Array.from({ length: operands }, (_, k) => control[ARGS + 4 + k]!)
      const run = loaded.exports.fused as (...args: number[]) => void
      fused[id] = { run, operands, flags, chunk: new Array(2 + 2 * operands).fill(0) }
    }
    const call = new Int32Array(init.control, (ARGS + 2) * 4)
    const runFused = () => {
      const kernel = fused[control[ARGS]!]!
      const size = control[ARGS + 1]!
      const columns = byColumns(call, kernel.operands, kernel.flags)
      const total = units(call, columns)
      for (;;) {
        const first = Atomics.add(control, NEXT, size)
        if (first >= total) break
        chunkArgs(
          call,
          kernel.operands,
          kernel.flags,
          columns,
          first,
          Math.min(first + size, total),
          kernel.chunk,
        )
        Reflect.apply(kernel.run, undefined, kernel.chunk)
      }
    }
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
      if (job === -1) return
      if (job < 0) {
        try {
          if (job === LOAD_FUSED_JOB) loadFused()
          else if (job === RUN_FUSED_JOB) runFused()
          control[FAILED] = 0
        } catch {
          control[FAILED] = 1
        }
        Atomics.store(control, DONE, seen)
        Atomics.notify(control, DONE)
        continue
      }
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
