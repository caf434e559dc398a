import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { createKernelsSync } from '../src/index.js'
import { randomFloats } from './reference.js'

const runs = Number(process.env.CELLGRAPH_PROPERTY_RUNS ?? 60)
const memory = new WebAssembly.Memory({ initial: 16 })
const kernels = createKernelsSync({ memory })
const floats = () => new Float32Array(memory.buffer)
const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length))

const nonFinite = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)
// huge finite values: their differences v − v are still 0
const values = fc.constantFrom(3.4e38, -3.4e38, 1e-45, 0, -0)

describe('finiteness checks', () => {
  test('allFinite and copyFinite agree with Number.isFinite and copy every bit (vector body and tail)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 41 }),
        fc.integer(),
        fc.array(fc.tuple(fc.nat(), fc.oneof(nonFinite, values)), { maxLength: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (n, seed, placed, shift) => {
          const x = randomFloats(n, seed).map((v) => v * 1e30)
          for (const [at, v] of placed) if (n > 0) x[at % n] = v
          const want = x.every((v) => Number.isFinite(v))
          // unaligned source and destination, guards after the destination
          const [src, dst] = [4 * shift, 4096 + 4 * shift]
          floats().set(x, src / 4)
          floats().fill(-3, dst / 4, dst / 4 + n + 4)
          expect(kernels.allFinite(n, src)).toBe(want)
          expect(kernels.copyFinite(n, src, dst)).toBe(want)
          expect(bits(floats().subarray(dst / 4, dst / 4 + n))).toEqual(bits(x))
          expect(Array.from(floats().subarray(dst / 4 + n, dst / 4 + n + 4))).toEqual([-3, -3, -3, -3])
          expect(kernels.copyFinite(n, src, src)).toBe(want) // in place
          expect(bits(floats().subarray(src / 4, src / 4 + n))).toEqual(bits(x))
        },
      ),
      { numRuns: runs },
    )
  })

  test('bad operands are named errors', () => {
    expect(() => kernels.allFinite(8, memory.buffer.byteLength - 16)).toThrow(
      /allFinite: source: 1x8 floats \(row stride 8\) at byte \d+ end at \d+, past the memory/,
    )
    expect(() => kernels.copyFinite(4, 0, memory.buffer.byteLength - 8)).toThrow(/copyFinite: destination/)
    expect(() => kernels.copyFinite(-1, 0, 0)).toThrow(/copyFinite: n = -1 is not a size/)
  })
})
