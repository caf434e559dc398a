import { InputError } from '@cellgraph/graph'

/**
 * Row kernels for the ops that are not products or elementwise chains: rare in the time loop, so
 * written plainly. Every value is a [rows, features] block at (array, offset).
 */
type F32 = Float32Array

const logSumExp = (x: F32, o: number, f: number) => {
  let m = Number.NEGATIVE_INFINITY
  for (let j = 0; j < f; j++) m = Math.max(m, x[o + j]!)
  let s = 0
  for (let j = 0; j < f; j++) s += Math.exp(x[o + j]! - m)
  return m + Math.log(s)
}

const classIndex = (target: F32, offset: number, r: number, classes: number) => {
  const t = target[offset + r]!
  if (!Number.isInteger(t) || t < 0 || t >= classes)
    throw new RangeError(`target ${t} in row ${r} is not a class index in [0, ${classes})`)
  return t
}

export const helpers = {
  sigmoid: (x: number) => {
    if (x >= 0) return 1 / (1 + Math.exp(-x))
    const e = Math.exp(x)
    return e / (1 + e)
  },
  copy(n: number, src: F32, so: number, dst: F32, dO: number) {
    for (let i = 0; i < n; i++) dst[dO + i] = src[so + i]!
  },
  fill(n: number, value: number, dst: F32, dO: number) {
    dst.fill(value, dO, dO + n)
  },
  /** Copies columns [start, end) of every row of x [rows, fx] into out [rows, end−start]. */
  sliceCols(rows: number, fx: number, start: number, end: number, x: F32, xo: number, out: F32, oo: number) {
    const w = end - start
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < w; j++) out[oo + r * w + j] = x[xo + r * fx + start + j]!
  },
  /** Writes x [rows, fx] into columns [at, at+fx) of out [rows, fo], zeroing nothing else. */
  placeCols(rows: number, fx: number, at: number, fo: number, x: F32, xo: number, out: F32, oo: number) {
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < fx; j++) out[oo + r * fo + at + j] = x[xo + r * fx + j]!
  },
  sumRows(rows: number, f: number, x: F32, xo: number, out: F32, oo: number) {
    out.fill(0, oo, oo + f)
    for (let r = 0; r < rows; r++) for (let j = 0; j < f; j++) out[oo + j] = out[oo + j]! + x[xo + r * f + j]!
  },
  sumAll(n: number, x: F32, xo: number, out: F32, oo: number) {
    let s = 0
    for (let i = 0; i < n; i++) s += x[xo + i]!
    out[oo] = s
  },
  reduceRows(
    kind: 'sum' | 'mean' | 'max',
    rows: number,
    f: number,
    x: F32,
    xo: number,
    out: F32,
    oo: number,
  ) {
    for (let r = 0; r < rows; r++) {
      let s = kind === 'max' ? Number.NEGATIVE_INFINITY : 0
      for (let j = 0; j < f; j++) {
        const v = x[xo + r * f + j]!
        s = kind === 'max' ? (v > s ? v : s) : s + v
      }
      out[oo + r] = kind === 'mean' ? s / f : s
    }
  },
  softmax(rows: number, f: number, x: F32, xo: number, out: F32, oo: number) {
    for (let r = 0; r < rows; r++) {
      const lse = logSumExp(x, xo + r * f, f)
      for (let j = 0; j < f; j++) out[oo + r * f + j] = Math.exp(x[xo + r * f + j]! - lse)
    }
  },
  crossEntropy(rows: number, f: number, x: F32, xo: number, t: F32, to: number, out: F32, oo: number) {
    for (let r = 0; r < rows; r++)
      out[oo + r] = logSumExp(x, xo + r * f, f) - x[xo + r * f + classIndex(t, to, r, f)]!
  },
  crossEntropyGrad(
    rows: number,
    f: number,
    x: F32,
    xo: number,
    t: F32,
    to: number,
    g: F32,
    go: number,
    out: F32,
    oo: number,
  ) {
    for (let r = 0; r < rows; r++) {
      const lse = logSumExp(x, xo + r * f, f)
      const c = classIndex(t, to, r, f)
      for (let j = 0; j < f; j++)
        out[oo + r * f + j] = (Math.exp(x[xo + r * f + j]! - lse) - (j === c ? 1 : 0)) * g[go + r]!
    }
  },
  fail(message: string): never {
    throw new InputError(message)
  },
}

export type Helpers = typeof helpers
