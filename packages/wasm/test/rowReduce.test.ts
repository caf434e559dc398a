import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { createKernelsSync } from '../src/index.js'
import { randomFloats } from './reference.js'

const runs = Number(process.env.CELLGRAPH_PROPERTY_RUNS ?? 60)
const memory = new WebAssembly.Memory({ initial: 16 })
const kernels = createKernelsSync({ memory })
const floats = () => new Float32Array(memory.buffer)

/** Float64 sum, mean and max of each row, written independently of the emitter. */
const exact = (kind: 'sum' | 'mean' | 'max', row: readonly number[]) => {
  if (kind === 'max') return row.reduce((m, v) => Math.max(m, v), Number.NEGATIVE_INFINITY)
  const s = row.reduce((a, v) => a + v, 0)
  return kind === 'mean' ? s / row.length : s
}

describe('row reductions', () => {
  test.each(['sum', 'mean', 'max'] as const)(
    '%s of each row, strided, matches float64 (vector body and tail)',
    (kind) => {
      const kernel = { sum: kernels.rowSum, mean: kernels.rowMean, max: kernels.rowMax }[kind]
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 7 }),
          fc.integer({ min: 1, max: 41 }),
          fc.integer({ min: 0, max: 5 }),
          fc.integer(),
          (rows, cols, pad, seed) => {
            const ld = cols + pad
            const x = randomFloats(rows * ld, seed).map((v) => v * 100)
            const [xAt, outAt] = [0, 32768]
            floats().set(x, xAt / 4)
            floats().fill(-3, outAt / 4, outAt / 4 + 2 * rows + 1) // guards between and after outputs
            kernel(rows, cols, xAt, ld, outAt, 2)
            for (let r = 0; r < rows; r++) {
              const want = Math.fround(exact(kind, Array.from(x.subarray(r * ld, r * ld + cols))))
              // a float64 sum rounded once: the same float32, or the next one when the sum lies
              // half-way (summation order)
              expect(Math.abs(floats()[outAt / 4 + 2 * r]! - want), `row ${r}`).toBeLessThanOrEqual(
                1.2e-7 * Math.abs(want) + 1e-30,
              )
              expect(floats()[outAt / 4 + 2 * r + 1]).toBe(-3)
            }
          },
        ),
        { numRuns: runs },
      )
    },
  )

  test('a NaN in a row gives NaN for the max; bad operands are named errors', () => {
    floats().set([1, Number.NaN, 3, 4, 5], 0)
    kernels.rowMax(1, 5, 0, 5, 64, 1)
    expect(floats()[16]).toBeNaN()
    expect(() => kernels.rowSum(2, 4, memory.buffer.byteLength - 16, 4, 0, 1)).toThrow(
      /rowSum: source: 2x4 floats \(row stride 4\) at byte \d+ end at \d+, past the memory/,
    )
    expect(() => kernels.rowMean(1.5, 4, 0, 4, 0, 1)).toThrow(/rowMean: rows = 1.5 is not a size/)
  })
})
