import type { ArrayKernels, Expr, RowReduceKernel } from '@cellgraph/wasm'
import type { ScanPlan } from './wasmScan.js'

/**
 * The matrix-product kernels the generated code calls: `gemm` (C (+)= A·B or A·Bᵀ) and `gemmTN`
 * (C (+)= Aᵀ·B, a weight gradient summed over rows), as declared by `ArrayKernels`, plus optional
 * extras below. Swappable: a backend built with other kernels (e.g. WebAssembly SIMD) passes them
 * to `cpuBackend({ kernels })`. Arrays are addressed as (array, offset) so that time steps of a
 * sequence are read in place, without views.
 */
export interface CpuKernels extends ArrayKernels {
  /**
   * Optional: products whose B is a loop invariant are split into a pack of B once per run
   * (before the time loop) and a product with the packed B at every step. `preparePacked` runs
   * once per compiled size and reserves the storage; the handle is opaque to the generated code.
   */
  readonly packing?: {
    preparePacked(k: number, n: number, transposeB: boolean): unknown
    packB(packed: unknown, b: Float32Array, bOffset: number): void
    /** C[m,n] = A·B with B packed; A is [m,k], or stored [k,m] and used transposed when `transposeA`. */
    gemmPacked(
      m: number,
      a: Float32Array,
      aOffset: number,
      packed: unknown,
      c: Float32Array,
      cOffset: number,
      transposeA: boolean,
    ): void
  }
  /**
   * Optional: fused pointwise kernels compiled to WebAssembly SIMD over the kernels' memory.
   * `compile` returns the kernel `(rows, cols, in0, ld0, ..., out0, ldo0, ...)` (byte addresses,
   * row strides in floats) as `raw`, the WebAssembly function, and as `call`, which may share a
   * large grid with a helper thread; `base` is an array's byte address, failing for an array
   * that is not in that memory. `rowReduce` holds the row reductions over the same memory,
   * `(rows, cols, src, ld, dst, ldo)`: dst[r·ldo] = the sum, mean or max of row r.
   */
  readonly pointwise?: {
    compile(outputs: readonly Expr[]): {
      readonly raw: (...args: number[]) => void
      readonly call: (...args: number[]) => void
    }
    base(array: Float32Array): number
    readonly rowReduce: { readonly [K in 'sum' | 'mean' | 'max']: RowReduceKernel }
    /**
     * Optional: compiles a scan whose steps are kernel calls only to one WebAssembly loop.
     * `named` maps the plan's buffer addresses and weight-pack handles by name; `fused` are the
     * raw fused kernels (FR) the plan calls by index. Scans with a product of `maxProductFlops`
     * or more stay JavaScript loops (their products are worth splitting between threads).
     */
    readonly scans?: {
      compile(
        plan: ScanPlan,
        named: Readonly<Record<string, unknown>>,
        fused: readonly ((...args: number[]) => void)[],
      ): (...inputs: number[]) => void
      readonly maxProductFlops: number
    }
  }
  /**
   * Optional: copies `from` into `to` (same length), when given, and says whether every value
   * of `from` is finite, in one pass. Without it, `copyFinite` of `finite.ts` (a JavaScript check,
   * then a memcpy).
   */
  readonly copyFinite?: (from: Float32Array, to?: Float32Array) => boolean
}

/** Plain JavaScript kernels: correct everywhere, the baseline that faster kernels replace. */
export const jsKernels: CpuKernels = {
  gemm(m, n, k, a, ao, b, bo, transposeB, c, co, accumulate) {
    if (transposeB) {
      // Four rows of A against one row of B at a time: each B row is read once per four outputs.
      let i = 0
      for (; i + 3 < m; i += 4) {
        const a0 = ao + i * k
        const [a1, a2, a3] = [a0 + k, a0 + 2 * k, a0 + 3 * k]
        for (let j = 0; j < n; j++) {
          const br = bo + j * k
          let s0 = 0
          let s1 = 0
          let s2 = 0
          let s3 = 0
          for (let p = 0; p < k; p++) {
            const bv = b[br + p]!
            s0 += a[a0 + p]! * bv
            s1 += a[a1 + p]! * bv
            s2 += a[a2 + p]! * bv
            s3 += a[a3 + p]! * bv
          }
          const c0 = co + i * n + j
          if (accumulate) {
            c[c0] = c[c0]! + s0
            c[c0 + n] = c[c0 + n]! + s1
            c[c0 + 2 * n] = c[c0 + 2 * n]! + s2
            c[c0 + 3 * n] = c[c0 + 3 * n]! + s3
          } else {
            c[c0] = s0
            c[c0 + n] = s1
            c[c0 + 2 * n] = s2
            c[c0 + 3 * n] = s3
          }
        }
      }
      for (; i < m; i++) {
        const ar = ao + i * k
        const cr = co + i * n
        for (let j = 0; j < n; j++) {
          const br = bo + j * k
          let s = 0
          for (let p = 0; p < k; p++) s += a[ar + p]! * b[br + p]!
          c[cr + j] = accumulate ? c[cr + j]! + s : s
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
