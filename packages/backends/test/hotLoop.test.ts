import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const probe = fileURLToPath(new URL('./probes/hotLoop.mjs', import.meta.url))

interface HeapUse {
  readonly steps: number
  readonly bytesPerStep: number
  readonly controlBytesPerStep: number
  readonly retainedBytes: number
  /** The median growth of the collected heap from one round of 100 steps to the next. */
  readonly medianRoundGrowth: number
  readonly rounds: number
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
    it(`${backend}: heap growth over 2,000 training steps`, () => {
      const use = heapUse(backend, 2000)
      expect([use.steps, use.rounds]).toEqual([2000, 20])
      // what a step allocates beyond the promises of `run`
      expect(use.bytesPerStep - use.controlBytesPerStep).toBeLessThan(512)
      // what steps retain: not growing from round to round (a leak of 16 bytes a step would be
      // 1.6 KB in every round; one-off engine allocations, optimised code landing late on a busy
      // machine, are one round's jump and leave the median alone), and bounded in all
      expect(use.medianRoundGrowth).toBeLessThan(1600)
      expect(use.retainedBytes).toBeLessThan(512 * 1024)
    }, 60_000)
})
