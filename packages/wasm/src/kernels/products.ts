import type { Tiling } from '../gemm/tiling.js'
import type { KernelExports } from '../kernelModule.js'
import type { GemmOptions, Kernels } from '../kernels.js'
import { GEMM_JOB, type JobRunner, PACK_A_JOB, PACK_JOB, PackArgs, ProductArgs } from '../threads/jobs.js'
import type { Checks } from './checks.js'
import type { Workspace } from './workspace.js'

/** Packing this many floats or more is split between the threads. */
const PARALLEL_PACK_FLOATS = 1 << 17

const NO_OPTIONS: GemmOptions = {}

export interface ProductSettings {
  readonly memory: WebAssembly.Memory
  readonly ex: KernelExports
  readonly tiling: Tiling
  readonly check: Checks
  readonly jobs: JobRunner
  /** Smallest product (2·M·N·K) split with the helper. */
  readonly parallelFlops: number
  /** Smallest product with a transposed A for which A is packed first (when `aWorkspace` can grow). */
  readonly packAFlops: number
  /** Where gemm packs B, and gemmPacked packs Aᵀ (undefined: never packs A). */
  readonly bWorkspace: Workspace
  readonly aWorkspace: Workspace | undefined
}

/** The matrix products and packs, checked, split with the helper thread where it pays. */
export function products(
  s: ProductSettings,
): Pick<Kernels, 'packedBytes' | 'packB' | 'repack' | 'gemmPacked' | 'gemm'> {
  const { ex, check, jobs } = s
  const { nr, mr } = s.tiling
  const panels = (N: number) => Math.ceil(N / nr)
  const packedBytes = (K: number, N: number) => panels(N) * nr * K * 4
  const packArgs = new PackArgs()
  const productArgs = new ProductArgs()
  const packBChunk = (p0: number, p1: number) => {
    const a = packArgs
    ex.packB(a.rows, a.cols, a.src, a.rs, a.cs, a.dst, p0, p1)
  }
  const packAChunk = (p0: number, p1: number) => {
    const a = packArgs
    ex.packA(a.rows, a.cols, a.src, a.rs, a.cs, a.dst, p0, p1)
  }
  const gemmChunk = (p0: number, p1: number) => productArgs.run(ex, p0, p1)

  const packInto = (
    K: number,
    N: number,
    b: number,
    dst: number,
    transB: boolean,
    ldbOption: number | undefined,
  ) => {
    check.size('packB', 'K', K)
    check.size('packB', 'N', N)
    const ldb = ldbOption ?? (transB ? K : N)
    check.stride('packB', 'ldb', ldb, transB ? K : N)
    if (transB) check.range('packB: B (N x K, transposed)', b, N, K, ldb)
    else check.range('packB: B (K x N)', b, K, N, ldb)
    check.range('packB: destination', dst, 1, packedBytes(K, N) / 4, 0)
    const rsB = transB ? 1 : ldb
    const csB = transB ? ldb : 1
    const P = panels(N)
    if (jobs.active && K * N >= PARALLEL_PACK_FLOATS && P >= 2)
      jobs.share(PACK_JOB, packArgs.set(K, N, b, rsB, csB, dst), P, packBChunk)
    else ex.packB(K, N, b, rsB, csB, dst, 0, P)
  }

  /** Packs Aᵀ's row panels (checked already), split between the threads when it pays. */
  const packA = (M: number, K: number, a: number, rsA: number, csA: number, dst: number) => {
    const P = Math.ceil(M / mr)
    if (!jobs.active || M * K < PARALLEL_PACK_FLOATS || P < 2) ex.packA(M, K, a, rsA, csA, dst, 0, P)
    else jobs.share(PACK_A_JOB, packArgs.set(M, K, a, rsA, csA, dst), P, packAChunk)
  }

  /** gemmPacked on operands already checked (`productArgs` set); split between the threads when it pays. */
  const multiply = () => {
    const p = productArgs
    const { m: M, n: N, k: K } = p
    const P = panels(N)
    if (!jobs.active || 2 * M * N * K < s.parallelFlops || (P < 2 && M < 2 * mr)) return p.run(ex, 0, P)
    // by columns, both threads read all of A and claim chunks of panels of B, writing disjoint
    // columns of C; when B is a single panel, the helper takes the bottom half of the rows
    if (P >= 2) return jobs.share(GEMM_JOB, p, P, gemmChunk)
    const top = Math.ceil(M / 2 / mr) * mr
    const [a, c] = [p.a, p.c]
    p.m = M - top
    p.a = a + top * p.tileStep * 4
    p.c = c + top * p.ldc * 4
    jobs.postProduct(p, P)
    ex.gemmPacked(top, N, K, a, p.rsA, p.csA, p.bp, c, p.ldc, p.alpha, p.accumulate, 0, P, p.tileStep)
    jobs.wait()
  }

  const gemmPacked: Kernels['gemmPacked'] = (M, a, packed, c, opts = NO_OPTIONS) => {
    const { K, N } = packed
    check.size('gemm', 'M', M)
    const transA = opts.transA === true
    const lda = opts.lda ?? (transA ? M : K)
    const ldc = opts.ldc ?? N
    check.stride('gemm', 'lda', lda, transA ? M : K)
    check.stride('gemm', 'ldc', ldc, N)
    if (transA) check.range('gemm: A (K x M, transposed)', a, K, M, lda)
    else check.range('gemm: A (M x K)', a, M, K, lda)
    check.range('gemm: C (M x N)', c, M, N, ldc)
    if (M === 0 || N === 0) return
    const accumulate = opts.accumulate ? 1 : 0
    if (K === 0) {
      // an empty sum: C = 0 (or unchanged when accumulating)
      if (!accumulate)
        for (let i = 0; i < M; i++) new Float32Array(s.memory.buffer, c + i * ldc * 4, N).fill(0)
      return
    }
    const p = productArgs
    p.m = M
    p.n = N
    p.k = K
    p.bp = packed.offset
    p.c = c
    p.ldc = ldc
    p.alpha = opts.alpha ?? 1
    p.accumulate = accumulate
    if (transA && s.aWorkspace && 2 * M * N * K >= s.packAFlops) {
      // Aᵀ read in place touches a new cache line per k; packed, each tile reads one contiguous run
      const at = s.aWorkspace.reserve(Math.ceil(M / mr) * mr * K * 4)
      packA(M, K, a, 1, lda, at)
      p.a = at
      p.rsA = 1
      p.csA = mr
      p.tileStep = K
    } else {
      p.a = a
      p.rsA = transA ? 1 : lda
      p.csA = transA ? lda : 1
      p.tileStep = p.rsA
    }
    multiply()
  }

  const workspaceMatrix = { offset: 0, K: 0, N: 0, bytes: 0 }
  return {
    packedBytes,
    packB: (K, N, b, dst, opts = NO_OPTIONS) => {
      packInto(K, N, b, dst, opts.transB === true, opts.ldb)
      return { offset: dst, K, N, bytes: packedBytes(K, N) }
    },
    repack: (packed, b, opts = NO_OPTIONS) =>
      packInto(packed.K, packed.N, b, packed.offset, opts.transB === true, opts.ldb),
    gemmPacked,
    gemm: (M, N, K, a, b, c, opts = NO_OPTIONS) => {
      check.size('gemm', 'M', M)
      check.size('gemm', 'N', N)
      check.size('gemm', 'K', K)
      const at = s.bWorkspace.reserve(packedBytes(K, N))
      packInto(K, N, b, at, opts.transB === true, opts.ldb)
      workspaceMatrix.K = K
      workspaceMatrix.N = N
      workspaceMatrix.offset = at
      gemmPacked(M, a, workspaceMatrix, c, opts)
    },
  }
}
