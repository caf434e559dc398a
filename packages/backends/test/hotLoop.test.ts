import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const probe = fileURLToPath(new URL('./probes/hotLoop.mjs', import.meta.url))

interface HeapUse {
  readonly steps: number
  readonly bytesPerStep: number
  readonly controlBytesPerStep: number
  readonly retainedBytes: number
  /** Heap growth, collected, over the second half of the steps (one-off allocations land early). */
  readonly retainedSecondHalf: number
  readonly secondHalfSteps: number
}

/** Runs the probe in a clean Node process with `global.gc` (it imports the built package, dist/). */
const heapUse = (backend: string, steps: number): HeapUse =>
  JSON.parse(
    execFileSync(process.execPath, ['--expose-gc', probe, backend, String(steps)], { encoding: 'utf8' }),
  )

// A training step of the small LSTM (forward + BPTT, then the SGD update into the parameters)
// binds ~40 tensors and runs ~30 kernels: any allocation per tensor, kernel or time step would
// show as kilobytes per step. What remains is the two promises of the asynchronous `run`.
describe('the training hot loop allocates nothing', () => {
  for (const backend of ['cpu', 'cpu-js'])
    it(`${backend}: heap growth over 1,000 training steps`, () => {
      const use = heapUse(backend, 1000)
      const longer = heapUse(backend, 2000)
      expect([use.steps, use.secondHalfSteps, longer.secondHalfSteps]).toEqual([1000, 500, 1000])
      // what a step allocates beyond the promises of `run`
      expect(use.bytesPerStep - use.controlBytesPerStep).toBeLessThan(512)
      // what steps retain: bounded (engine bookkeeping, tens of KB), and not growing with the
      // number of steps: a leak of 32 bytes a step would add 16 KB over the longer run's extra 500
      expect(use.retainedSecondHalf).toBeLessThan(64 * 1024)
      expect(longer.retainedSecondHalf - use.retainedSecondHalf).toBeLessThan(16 * 1024)
    }, 60_000)
})
