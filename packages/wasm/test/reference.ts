/** Float64 oracles, sharing no code with the kernels. */

/** op(A)·op(B) in float64 from row-major stored operands. */
export const referenceProduct = (
  M: number,
  N: number,
  K: number,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  transA: boolean,
  transB: boolean,
  lda: number,
  ldb: number,
): Float64Array => {
  const c = new Float64Array(M * N)
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0
      for (let k = 0; k < K; k++) {
        const aik = transA ? a[k * lda + i]! : a[i * lda + k]!
        const bkj = transB ? b[j * ldb + k]! : b[k * ldb + j]!
        sum += aik * bkj
      }
      c[i * N + j] = sum
    }
  }
  return c
}

/** Deterministic pseudo-random floats in [-1, 1) (xorshift32). */
export const randomFloats = (n: number, seed: number): Float32Array => {
  const out = new Float32Array(n)
  let s = seed >>> 0 || 1
  for (let i = 0; i < n; i++) {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    out[i] = (s >>> 0) / 2 ** 31 - 1
  }
  return out
}
