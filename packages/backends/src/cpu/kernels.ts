/**
 * The matrix-product kernels the generated code calls. Swappable: a backend built with other
 * kernels (e.g. WebAssembly SIMD) passes them to `cpuBackend({ kernels })`. Arrays are addressed
 * as (array, offset) so that time steps of a sequence are read in place, without views.
 */
export interface CpuKernels {
  /**
   * C[m,n] (+)= A[m,k]·B[k,n], or A·Bᵀ with B stored [n,k] when `transposeB`. All row-major and
   * dense. Without `accumulate`, C is overwritten.
   */
  gemm(
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    aOffset: number,
    b: Float32Array,
    bOffset: number,
    transposeB: boolean,
    c: Float32Array,
    cOffset: number,
    accumulate: boolean,
  ): void
  /** C[m,n] (+)= Aᵀ·B with A [rows,m] and B [rows,n]: a weight gradient summed over rows. */
  gemmTN(
    rows: number,
    m: number,
    n: number,
    a: Float32Array,
    aOffset: number,
    b: Float32Array,
    bOffset: number,
    c: Float32Array,
    cOffset: number,
    accumulate: boolean,
  ): void
  /**
   * Optional: products whose B is a loop invariant are split into a pack of B once per run
   * (before the time loop) and a product with the packed B at every step. `preparePacked` runs
   * once per compiled size and reserves the storage; the handle is opaque to the generated code.
   */
  readonly packing?: {
    preparePacked(k: number, n: number, transposeB: boolean): unknown
    packB(packed: unknown, b: Float32Array, bOffset: number): void
    gemmPacked(
      m: number,
      a: Float32Array,
      aOffset: number,
      packed: unknown,
      c: Float32Array,
      cOffset: number,
    ): void
  }
}

/** Plain JavaScript kernels: correct everywhere, the baseline that faster kernels replace. */
export const jsKernels: CpuKernels = {
  gemm(m, n, k, a, ao, b, bo, transposeB, c, co, accumulate) {
    if (transposeB) {
      for (let i = 0; i < m; i++) {
        const ar = ao + i * k
        const cr = co + i * n
        for (let j = 0; j < n; j++) {
          const br = bo + j * k
          let s0 = 0
          let s1 = 0
          let p = 0
          for (; p + 1 < k; p += 2) {
            s0 += a[ar + p]! * b[br + p]!
            s1 += a[ar + p + 1]! * b[br + p + 1]!
          }
          if (p < k) s0 += a[ar + p]! * b[br + p]!
          c[cr + j] = accumulate ? c[cr + j]! + s0 + s1 : s0 + s1
        }
      }
      return
    }
    for (let i = 0; i < m; i++) {
      const cr = co + i * n
      if (!accumulate) c.fill(0, cr, cr + n)
      for (let p = 0; p < k; p++) {
        const v = a[ao + i * k + p]!
        if (v === 0) continue
        const br = bo + p * n
        for (let j = 0; j < n; j++) c[cr + j] = c[cr + j]! + v * b[br + j]!
      }
    }
  },
  gemmTN(rows, m, n, a, ao, b, bo, c, co, accumulate) {
    if (!accumulate) c.fill(0, co, co + m * n)
    for (let r = 0; r < rows; r++) {
      const ar = ao + r * m
      const br = bo + r * n
      for (let i = 0; i < m; i++) {
        const v = a[ar + i]!
        if (v === 0) continue
        const cr = co + i * n
        for (let j = 0; j < n; j++) c[cr + j] = c[cr + j]! + v * b[br + j]!
      }
    }
  },
}
