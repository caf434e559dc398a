import { ModuleBuilder } from './emit/moduleBuilder.js'
import { emitGemmPacked } from './gemm/macroKernel.js'
import { emitMicroKernel } from './gemm/microKernel.js'
import { emitPackA } from './gemm/packA.js'
import { emitPackB } from './gemm/packB.js'
import type { Tiling } from './gemm/tiling.js'
import { apply, input } from './pointwise/expr.js'
import { emitFinite } from './pointwise/finite.js'
import { emitFusedKernel } from './pointwise/fusedKernel.js'
import { emitRowReduce } from './pointwise/rowReduce.js'

/** Functions every kernel module exports (all pointers in bytes, strides in floats). */
export interface KernelExports {
  packB(K: number, N: number, b: number, rsB: number, csB: number, dst: number, p0: number, p1: number): void
  gemmPacked(
    M: number,
    N: number,
    K: number,
    a: number,
    rsA: number,
    csA: number,
    bp: number,
    c: number,
    ldc: number,
    alpha: number,
    accumulate: number,
    p0: number,
    p1: number,
    tileStep: number,
  ): void
  packA(M: number, K: number, a: number, rsA: number, csA: number, dst: number, p0: number, p1: number): void
  exp(rows: number, cols: number, src: number, ld: number, dst: number, ldo: number): void
  sigmoid(rows: number, cols: number, src: number, ld: number, dst: number, ldo: number): void
  tanh(rows: number, cols: number, src: number, ld: number, dst: number, ldo: number): void
  /** dst[r·ldo] = the sum, mean or max of row r (cols floats at src + r·ld). */
  rowSum(rows: number, cols: number, src: number, ld: number, dst: number, ldo: number): void
  rowMean(rows: number, cols: number, src: number, ld: number, dst: number, ldo: number): void
  rowMax(rows: number, cols: number, src: number, ld: number, dst: number, ldo: number): void
  /** 1 when all n floats at src are finite, else 0. */
  allFinite(n: number, src: number): number
  /** Copies n floats from src to dst; 1 when all are finite, else 0. */
  copyFinite(n: number, src: number, dst: number): number
}

/**
 * The binary of the kernel module for one tiling: matrix product, packing, transcendentals, row
 * reductions, finiteness checks.
 */
export const buildKernelModule = (tiling: Tiling, shared: boolean): Uint8Array => {
  const mod = new ModuleBuilder({ shared })
  const tiles = Array.from({ length: tiling.mr }, (_, r) => emitMicroKernel(mod, tiling, r + 1))
  emitPackB(mod, tiling)
  emitPackA(mod, tiling)
  emitGemmPacked(mod, tiling, tiles)
  for (const op of ['exp', 'sigmoid', 'tanh'] as const) emitFusedKernel(mod, op, [apply(op, input(0))])
  emitRowReduce(mod, 'rowSum', 'sum')
  emitRowReduce(mod, 'rowMean', 'mean')
  emitRowReduce(mod, 'rowMax', 'max')
  emitFinite(mod, 'allFinite', false)
  emitFinite(mod, 'copyFinite', true)
  return mod.encode()
}
