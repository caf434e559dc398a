import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

/** Runs the probe in its own Node process: the test runner's own traffic would blur the count. */
const bytesPerStep = (threads: 1 | 2): number => {
  const probe = fileURLToPath(new URL('./probes/allocation.mjs', import.meta.url))
  const out = execFileSync(process.execPath, ['--expose-gc', probe, String(threads)], { encoding: 'utf8' })
  return (JSON.parse(out) as { bytesPerStep: number }).bytesPerStep
}

// A step is seven kernel calls (repack, two products, a fused tail, a fused kernel over a grid
// large enough to be shared with the helper, sigmoid, a product packing B);
// an array or an options object per call would be 100+ bytes per step. The ~0.6 bytes that
// remain are the measurement's own (process.memoryUsage) spread over the steps.
test('a recurrent step of kernel calls allocates nothing on the JavaScript heap', () => {
  expect(bytesPerStep(1)).toBeLessThan(2)
}, 60_000)

test('nor when the products and a large fused kernel are split between two threads', () => {
  expect(bytesPerStep(2)).toBeLessThan(2)
}, 60_000)
