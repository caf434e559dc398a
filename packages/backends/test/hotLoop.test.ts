import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const probe = fileURLToPath(new URL('./probes/hotLoop.mjs', import.meta.url))

interface HeapUse {
  readonly steps: number
  readonly bytesPerStep: number
  readonly controlBytesPerStep: number
  readonly retainedBytes: number
}

/** Runs the probe in a clean Node process with `global.gc` (it imports the built package, dist/). */
const heapUse = (backend: string): HeapUse =>
  JSON.parse(execFileSync(process.execPath, ['--expose-gc', probe, backend, '1000'], { encoding: 'utf8' }))

// A training step of the small LSTM (forward + BPTT, then the SGD update into the parameters)
// binds ~40 tensors and runs ~30 kernels: any allocation per tensor, kernel or time step would
// show as kilobytes per step. What remains is the two promises of the asynchronous `run`.
describe('the training hot loop allocates nothing', () => {
  for (const backend of ['cpu', 'cpu-js'])
    it(`${backend}: heap growth over 1,000 training steps`, () => {
      const use = heapUse(backend)
      expect(use.steps).toBe(1000)
      expect(use.bytesPerStep - use.controlBytesPerStep).toBeLessThan(512)
      expect(use.retainedBytes).toBeLessThan(128 * 1024)
    }, 60_000)
})
