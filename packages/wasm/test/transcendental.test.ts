import { describe, expect, test } from 'vitest'
import { createKernelsSync, EXP_FLUSH_BELOW, type Kernels } from '../src/index.js'

const FLT_MIN = 1.1754943508222875e-38
const reference = {
  exp: (x: number) => Math.exp(x),
  sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  tanh: (x: number) => Math.tanh(x),
} as const
type Name = keyof typeof reference

/** Max relative error where the float32 result is a normal number; max absolute error everywhere. */
export const MAX_RELATIVE_ERROR = 2.5e-7
export const MAX_ABSOLUTE_ERROR = 1.2e-7

const memory = new WebAssembly.Memory({ initial: 64 })
const kernels: Kernels = createKernelsSync({ memory })
const run = (name: Name, xs: ArrayLike<number>): Float32Array => {
  const n = xs.length
  new Float32Array(memory.buffer, 0, n).set(xs)
  kernels[name](n, 0, n * 4)
  return new Float32Array(memory.buffer, n * 4, n).slice()
}

/** A dense grid over [-100, 100] plus ±10^e for e in -30..30 (saturation far beyond |x| = 50). */
const sweep = (): Float32Array => {
  const xs: number[] = []
  for (let i = 0; i <= 400_000; i++) xs.push(-100 + i / 2000)
  for (let e = -30; e <= 30; e += 0.05) xs.push(10 ** e, -(10 ** e))
  return Float32Array.from(xs)
}

describe.each(['exp', 'sigmoid', 'tanh'] as const)('%s against float64', (name) => {
  test('error bound over the whole range, no NaN, overflow only where float32 overflows', () => {
    const xs = sweep()
    const ys = run(name, xs)
    let relative = 0
    let absolute = 0
    const wrong: string[] = []
    for (let i = 0; i < xs.length; i++) {
      const exact = reference[name](xs[i]!)
      const y = ys[i]!
      if (!Number.isFinite(Math.fround(exact))) {
        if (y !== Number.POSITIVE_INFINITY) wrong.push(`${name}(${xs[i]}) = ${y}, expected +Inf`)
        continue
      }
      if (!Number.isFinite(y)) {
        wrong.push(`${name}(${xs[i]}) = ${y}`)
        continue
      }
      const error = Math.abs(y - exact)
      if (Math.abs(exact) >= FLT_MIN) relative = Math.max(relative, error / Math.abs(exact))
      else if (error >= FLT_MIN) wrong.push(`${name}(${xs[i]}) = ${y}, expected ${exact}`)
      if (name !== 'exp') absolute = Math.max(absolute, error)
    }
    expect(wrong.slice(0, 5)).toEqual([])
    expect(relative).toBeLessThan(MAX_RELATIVE_ERROR)
    expect(absolute).toBeLessThan(MAX_ABSOLUTE_ERROR)
  })
})

describe('limits and special values', () => {
  const inf = Number.POSITIVE_INFINITY
  test('exp', () => {
    expect([...run('exp', [-inf, -1000, EXP_FLUSH_BELOW - 0.01, 0, -0, 89, 1000, inf])]).toEqual([
      0,
      0,
      0,
      1,
      1,
      inf,
      inf,
      inf,
    ])
    expect(Number.isNaN(run('exp', [Number.NaN])[0])).toBe(true)
  })
  test('sigmoid saturates to exactly 0 and 1', () => {
    expect([...run('sigmoid', [-inf, -1e30, -200, -50, 0, 50, 200, 1e30, inf])]).toEqual([
      0,
      0,
      0,
      Math.fround(1 / (1 + Math.exp(50))),
      0.5,
      1,
      1,
      1,
      1,
    ])
  })
  test('tanh saturates to exactly ±1, keeps the sign of zero', () => {
    expect([...run('tanh', [-inf, -1e30, -50, -20, 20, 50, 1e30, inf])]).toEqual([-1, -1, -1, -1, 1, 1, 1, 1])
    expect(Object.is(run('tanh', [-0])[0], -0)).toBe(true)
    expect(run('tanh', [1e-30])[0]).toBe(Math.fround(1e-30))
  })
  test('saturation is exact over whole ranges, not only at sampled points', () => {
    const grid = (lo: number, hi: number) =>
      Float32Array.from({ length: 20_001 }, (_, i) => lo + ((hi - lo) * i) / 20_000)
    const all = (ys: Float32Array, value: number) => ys.every((y) => y === value)
    expect(all(run('tanh', grid(9.1, 1e4)), 1)).toBe(true)
    expect(all(run('tanh', grid(-1e4, -9.1)), -1)).toBe(true)
    expect(all(run('sigmoid', grid(17, 1e4)), 1)).toBe(true)
    expect(all(run('sigmoid', grid(-1e4, -88.8)), 0)).toBe(true)
    expect(all(run('exp', grid(-1e4, EXP_FLUSH_BELOW - 1e-3)), 0)).toBe(true)
  })
  test('every length, including the scalar tail, and in place', () => {
    for (let n = 1; n <= 9; n++) {
      const xs = Float32Array.from({ length: n }, (_, i) => i - 4)
      new Float32Array(memory.buffer, 0, n).set(xs)
      kernels.tanh(n, 0, 0)
      const got = new Float32Array(memory.buffer, 0, n)
      xs.forEach((x, i) => expect(Math.abs(got[i]! - Math.tanh(x))).toBeLessThan(1e-7))
    }
  })
  test('a range outside the memory is a named error', () => {
    expect(() => kernels.exp(10, memory.buffer.byteLength - 8, 0)).toThrow(/pointwise: source: 1x10 floats/)
  })
})
