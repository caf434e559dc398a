import fc from 'fast-check'
import { Arena, type Kernels } from '../src/index.js'
import { randomFloats, referenceProduct } from './reference.js'

export interface GemmCase {
  M: number
  N: number
  K: number
  transA: boolean
  transB: boolean
  /** Extra floats per stored row beyond the minimum (exercises the ld arguments). */
  padA: number
  padB: number
  padC: number
  alpha: number
  accumulate: boolean
  seed: number
}

const GUARD = 64
const SENTINEL = 12345.5

/**
 * Runs one product through `kernels` on operands laid out with the case's strides, and checks it
 * against the float64 reference: every element within a bound scaled by Σ|a||b|, and the floats
 * around and between C's rows untouched.
 */
export const checkGemm = (
  kernels: Kernels,
  arena: Arena,
  cs: GemmCase,
  prepacked: boolean,
): string | undefined => {
  const { M, N, K, transA, transB, alpha, accumulate } = cs
  const lda = (transA ? M : K) + cs.padA
  const ldb = (transB ? K : N) + cs.padB
  const ldc = N + cs.padC
  const aRows = transA ? K : M
  const bRows = transB ? N : K
  const aHost = randomFloats(aRows * lda, cs.seed)
  const bHost = randomFloats(bRows * ldb, cs.seed + 1)
  const cHost = randomFloats(M * ldc, cs.seed + 2)
  const a = arena.allocFloats(aHost.length)
  const b = arena.allocFloats(bHost.length)
  const c = arena.allocFloats(M * ldc + 2 * GUARD) + GUARD * 4
  arena.f32(a, aHost.length).set(aHost)
  arena.f32(b, bHost.length).set(bHost)
  const cView = () => arena.f32(c - GUARD * 4, M * ldc + 2 * GUARD)
  cView().fill(SENTINEL)
  for (let i = 0; i < M; i++) arena.f32(c + i * ldc * 4, N).set(cHost.subarray(i * ldc, i * ldc + N))

  const options = { transA, transB, lda, ldb, ldc, alpha, accumulate }
  if (prepacked) {
    const dst = arena.allocBytes(kernels.packedBytes(K, N))
    const packed = kernels.packB(K, N, b, dst, { transB, ldb })
    kernels.gemmPacked(M, a, packed, c, options)
  } else kernels.gemm(M, N, K, a, b, c, options)

  const product = referenceProduct(M, N, K, aHost, bHost, transA, transB, lda, ldb)
  const absA = aHost.map(Math.abs)
  const absB = bHost.map(Math.abs)
  const scale = referenceProduct(M, N, K, absA, absB, transA, transB, lda, ldb)
  const got = cView()
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const before = accumulate ? cHost[i * ldc + j]! : 0
      const expected = before + alpha * product[i * N + j]!
      const value = got[GUARD + i * ldc + j]!
      const bound = 4e-7 * (K + 2) * (Math.abs(alpha) * scale[i * N + j]! + Math.abs(before)) + 1e-30
      if (!(Math.abs(value - expected) <= bound))
        return `C[${i},${j}] = ${value}, expected ${expected} (bound ${bound})`
    }
    for (let j = N; j < ldc && i < M - 1; j++) {
      if (got[GUARD + i * ldc + j] !== SENTINEL) return `wrote the padding of C row ${i} at column ${j}`
    }
  }
  for (let g = 0; g < GUARD; g++) {
    if (got[g] !== SENTINEL) return `wrote before C (guard float ${g})`
    if (got[GUARD + (M - 1) * ldc + N + g] !== SENTINEL) {
      return `wrote past C (guard float ${g})`
    }
  }
  return undefined
}

export const newArena = (shared: boolean) =>
  new Arena(new WebAssembly.Memory(shared ? { initial: 1, maximum: 16384, shared: true } : { initial: 1 }))

/** Random products: sizes from 1 (often exactly 1) to maxDim, every layout option. */
export const gemmCase = (maxDim: number): fc.Arbitrary<GemmCase> =>
  fc.record({
    M: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: maxDim })),
    N: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: maxDim })),
    K: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: maxDim })),
    transA: fc.boolean(),
    transB: fc.boolean(),
    padA: fc.integer({ min: 0, max: 3 }),
    padB: fc.integer({ min: 0, max: 3 }),
    padC: fc.integer({ min: 0, max: 3 }),
    alpha: fc.constantFrom(1, -0.5, 2),
    accumulate: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  })
