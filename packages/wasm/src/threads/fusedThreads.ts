import type { Arena } from '../arena.js'
import type { FusedThreads } from '../pointwise/compileFused.js'
import { fusedByColumns, fusedChunk, fusedUnits } from './fusedChunk.js'
import type { HelperThread } from './helperThread.js'
import { chunkOf, type JobRunner } from './jobs.js'
import { LOAD_FUSED_JOB, MAX_ARGS, RUN_FUSED_JOB } from './workerMain.js'

/**
 * Fused kernel calls shared with the helper: each kernel's binary is copied into the arena once
 * and loaded there; a call's grid is handed out in chunks both threads claim.
 */
export function fusedThreads(
  memory: WebAssembly.Memory,
  arena: Arena,
  helper: HelperThread,
  jobs: JobRunner,
): FusedThreads {
  let loaded = 0
  // a run's words: id, chunk size, then the call (rows, cols, pointer and stride per operand)
  const words: number[] = new Array(MAX_ARGS).fill(0)
  return {
    get active() {
      return jobs.enabled
    },
    load(binary, flags) {
      if (4 + 2 * flags.length > MAX_ARGS) return undefined
      const at = arena.allocBytes(binary.length)
      new Uint8Array(memory.buffer, at, binary.length).set(binary)
      const id = loaded++
      helper.post(LOAD_FUSED_JOB, [id, at, binary.length, flags.length, ...flags])
      helper.wait()
      return id
    },
    run(id, raw, call, flags, chunk) {
      const columns = fusedByColumns(call, flags.length, flags)
      const units = fusedUnits(call, columns)
      const size = chunkOf(units)
      words[0] = id
      words[1] = size
      for (let i = 0; i < call.length; i++) words[2 + i] = call[i]!
      helper.post(RUN_FUSED_JOB, words, 0, 2 + call.length)
      for (let first = helper.claim(size); first < units; first = helper.claim(size)) {
        fusedChunk(call, flags.length, flags, columns, first, Math.min(first + size, units), chunk)
        Reflect.apply(raw, undefined, chunk)
      }
      helper.wait()
    },
  }
}
