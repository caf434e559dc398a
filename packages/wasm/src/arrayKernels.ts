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
  // A shared memory hands out a new SharedArrayBuffer object after each grow, and views of the old
  // one stay valid: remember every buffer object it has given. A plain memory's old buffer is
  // detached by a grow (its views read as empty), so there only the current buffer is accepted.
  const shared =
    typeof SharedArrayBuffer !== 'undefined' && kernels.memory.buffer instanceof SharedArrayBuffer
  const buffers = new WeakSet<ArrayBufferLike>([kernels.memory.buffer])
  const ours = (buffer: ArrayBufferLike) => {
    if (!shared) return buffer === kernels.memory.buffer
    if (!buffers.has(buffer)) buffers.add(kernels.memory.buffer)
    return buffers.has(buffer)
  }
  const byteOffset = (what: string, array: Float32Array, offset: number) => {
    if (!ours(array.buffer)) {
      throw new Error(
        `${what} is not a view of the kernels' WebAssembly.Memory (or of a buffer it has since replaced)`,
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
