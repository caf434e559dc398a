import type { Kernels } from './kernels.js'

/**
 * The kernels addressed as (Float32Array, float offset) pairs, for code that keeps its tensors as
 * views of the kernels' memory. Same shapes as the CPU backend's `CpuKernels`; B is packed on
 * every call, so a weight reused over many time steps is better packed once (`packB`) and
 * multiplied with `gemmPacked`.
 */
export interface ArrayKernels {
  /** C[m,n] (+)= A[m,k]·B[k,n], or A·Bᵀ with B stored [n,k] when `transposeB`. */
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
  /** C[m,n] (+)= Aᵀ·B with A [rows,m] and B [rows,n]. */
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
}

export const arrayKernels = (kernels: Kernels): ArrayKernels => {
  const byteOffset = (what: string, array: Float32Array, offset: number) => {
    if (array.buffer !== kernels.memory.buffer) {
      throw new Error(
        `${what} is not a view of the kernels' WebAssembly.Memory (or the memory grew since it was taken)`,
      )
    }
    return array.byteOffset + offset * 4
  }
  return {
    gemm(m, n, k, a, ao, b, bo, transposeB, c, co, accumulate) {
      kernels.gemm(
        m,
        n,
        k,
        byteOffset('gemm: A', a, ao),
        byteOffset('gemm: B', b, bo),
        byteOffset('gemm: C', c, co),
        {
          transB: transposeB,
          accumulate,
        },
      )
    },
    gemmTN(rows, m, n, a, ao, b, bo, c, co, accumulate) {
      kernels.gemm(
        m,
        n,
        rows,
        byteOffset('gemmTN: A', a, ao),
        byteOffset('gemmTN: B', b, bo),
        byteOffset('gemmTN: C', c, co),
        {
          transA: true,
          accumulate,
        },
      )
    },
  }
}
