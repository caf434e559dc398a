import type { Arena } from './arena.js'
import { checkTiling, defaultTiling, type Tiling } from './gemm/tiling.js'
import { buildKernelModule, type KernelExports } from './kernelModule.js'
import { compileFused, type FusedKernel } from './pointwise/compileFused.js'
import type { Expr } from './pointwise/expr.js'
import { HelperThread } from './threads/helperThread.js'

export interface KernelsOptions {
  /** The memory every kernel works on; shared (with a maximum) when threads = 2. */
  readonly memory: WebAssembly.Memory
  /** 1 (default) or 2: products of at least `parallelFlops` are split with a helper thread. */
  readonly threads?: 1 | 2
  /** Smallest product (2·M·N·K) worth waking the helper for. Default 2^21 (about 0.1 ms of work). */
  readonly parallelFlops?: number
  /** Where `gemm` packs B when the caller did not: allocated on first use. */
  readonly arena?: Arena
  readonly tiling?: Partial<Tiling>
}

/** Layout of the operands of a matrix product; strides are row strides in floats. */
export interface GemmOptions {
  /** A is stored K x M (row stride lda, default M) and used transposed. */
  readonly transA?: boolean
  /** B is stored N x K (row stride ldb, default K) and used transposed. */
  readonly transB?: boolean
  readonly lda?: number
  readonly ldb?: number
  readonly ldc?: number
  /** C = alpha·op(A)·op(B) (+ C). Default 1. */
  readonly alpha?: number
  /** Add to C instead of overwriting it. */
  readonly accumulate?: boolean
}

/** B of a product, packed into panels; reuse it for every product with the same B. */
export interface PackedMatrix {
  readonly offset: number
  readonly K: number
  readonly N: number
  readonly bytes: number
}

/** Pointwise range kernels: dst[i] = f(src[i]) for n floats (byte offsets; src may equal dst). */
export type RangeKernel = (n: number, src: number, dst: number) => void

export interface Kernels {
  readonly memory: WebAssembly.Memory
  readonly tiling: Tiling
  readonly threads: 1 | 2
  /** The raw WebAssembly exports, for importing into generated modules (see README). */
  readonly exports: KernelExports
  /** Bytes a packed K x N matrix occupies. */
  packedBytes(K: number, N: number): number
  /** Packs op(B) (K x N) at byte `b` into `dst` (at least packedBytes(K, N) bytes). */
  packB(
    K: number,
    N: number,
    b: number,
    dst: number,
    options?: Pick<GemmOptions, 'transB' | 'ldb'>,
  ): PackedMatrix
  /** C (M x N at byte c) (+)= alpha · op(A) · B, B packed. */
  gemmPacked(
    M: number,
    a: number,
    packed: PackedMatrix,
    c: number,
    options?: Omit<GemmOptions, 'transB' | 'ldb'>,
  ): void
  /** C (+)= alpha · op(A) · op(B): packs B into the arena's workspace, then gemmPacked. */
  gemm(M: number, N: number, K: number, a: number, b: number, c: number, options?: GemmOptions): void
  readonly exp: RangeKernel
  readonly sigmoid: RangeKernel
  readonly tanh: RangeKernel
  /** Compiles (once per distinct expression list) a fused pointwise kernel on this memory. */
  fused(outputs: readonly Expr[]): FusedKernel
  /** Stops the helper thread. */
  dispose(): void
}

const JOBS = [
  { name: 'gemmPacked', floatArgs: [9] },
  { name: 'packB', floatArgs: [] },
] as const
const GEMM_JOB = 0
const PACK_JOB = 1
/** Packing this many floats or more is split between the threads. */
const PARALLEL_PACK_FLOATS = 1 << 17

const moduleCache = new Map<string, WebAssembly.Module>()
const kernelModule = (tiling: Tiling, shared: boolean): WebAssembly.Module => {
  const key = `${JSON.stringify(tiling)}/${shared}`
  let module = moduleCache.get(key)
  if (!module) {
    module = new WebAssembly.Module(buildKernelModule(tiling, shared) as BufferSource)
    moduleCache.set(key, module)
  }
  return module
}

const isShared = (memory: WebAssembly.Memory) =>
  typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer

/** Single-threaded kernels, ready at once. */
export const createKernelsSync = (options: Omit<KernelsOptions, 'threads'>): Kernels =>
  assemble(options, undefined)

/** Kernels on one or two threads (starting the helper thread is asynchronous). */
export const createKernels = async (options: KernelsOptions): Promise<Kernels> => {
  const threads = options.threads ?? 1
  if (threads !== 1 && threads !== 2)
    throw new RangeError(`createKernels: threads = ${threads}, expected 1 or 2`)
  if (threads === 1) return assemble(options, undefined)
  const tiling = checkTiling({ ...defaultTiling, ...options.tiling })
  const helper = await HelperThread.start(kernelModule(tiling, true), options.memory, JOBS)
  return assemble(options, helper)
}

const assemble = (options: KernelsOptions, helper: HelperThread | undefined): Kernels => {
  const { memory } = options
  const tiling = checkTiling({ ...defaultTiling, ...options.tiling })
  const shared = isShared(memory)
  const module = kernelModule(tiling, shared)
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports
  const parallelFlops = options.parallelFlops ?? 1 << 21
  const { nr, mr } = tiling
  const panels = (N: number) => Math.ceil(N / nr)
  const packedBytes = (K: number, N: number) => panels(N) * nr * K * 4
  let workspace = { offset: 0, bytes: 0 }

  const checkRange = (what: string, offset: number, rows: number, cols: number, ld: number) => {
    if (!Number.isInteger(offset) || offset < 0)
      throw new RangeError(`${what}: byte offset ${offset} is invalid`)
    if (rows === 0 || cols === 0) return
    const end = offset + ((rows - 1) * ld + cols) * 4
    if (end > memory.buffer.byteLength) {
      throw new RangeError(
        `${what}: ${rows}x${cols} floats (row stride ${ld}) at byte ${offset} end at ${end}, past the memory's ${memory.buffer.byteLength} bytes`,
      )
    }
  }
  const checkDims = (what: string, dims: Record<string, number>) => {
    for (const [name, value] of Object.entries(dims)) {
      if (!Number.isInteger(value) || value < 0)
        throw new RangeError(`${what}: ${name} = ${value} is not a size`)
    }
  }
  const checkStride = (what: string, name: string, ld: number, min: number) => {
    if (!Number.isInteger(ld) || ld < min)
      throw new RangeError(`${what}: ${name} = ${ld}, must be an integer >= ${min}`)
  }

  const packB: Kernels['packB'] = (K, N, b, dst, opts = {}) => {
    checkDims('packB', { K, N })
    const ldb = opts.ldb ?? (opts.transB ? K : N)
    checkStride('packB', 'ldb', ldb, opts.transB ? K : N)
    if (opts.transB) checkRange('packB: B (N x K, transposed)', b, N, K, ldb)
    else checkRange('packB: B (K x N)', b, K, N, ldb)
    const bytes = packedBytes(K, N)
    checkRange('packB: destination', dst, 1, bytes / 4, 0)
    const [rsB, csB] = opts.transB ? [1, ldb] : [ldb, 1]
    const P = panels(N)
    if (helper && K * N >= PARALLEL_PACK_FLOATS && P >= 2) {
      const mid = Math.ceil(P / 2)
      helper.post(PACK_JOB, [K, N, b, rsB, csB, dst, mid, P])
      ex.packB(K, N, b, rsB, csB, dst, 0, mid)
      helper.wait()
    } else ex.packB(K, N, b, rsB, csB, dst, 0, P)
    return { offset: dst, K, N, bytes }
  }

  const gemmPacked: Kernels['gemmPacked'] = (M, a, packed, c, opts = {}) => {
    const { K, N } = packed
    checkDims('gemm', { M })
    const lda = opts.lda ?? (opts.transA ? M : K)
    const ldc = opts.ldc ?? N
    checkStride('gemm', 'lda', lda, opts.transA ? M : K)
    checkStride('gemm', 'ldc', ldc, N)
    if (opts.transA) checkRange('gemm: A (K x M, transposed)', a, K, M, lda)
    else checkRange('gemm: A (M x K)', a, M, K, lda)
    checkRange('gemm: C (M x N)', c, M, N, ldc)
    if (M === 0 || N === 0) return
    const alpha = opts.alpha ?? 1
    const accumulate = opts.accumulate ? 1 : 0
    if (K === 0) {
      // an empty sum: C = 0 (or unchanged when accumulating)
      if (!accumulate) for (let i = 0; i < M; i++) new Float32Array(memory.buffer, c + i * ldc * 4, N).fill(0)
      return
    }
    const [rsA, csA] = opts.transA ? [1, lda] : [lda, 1]
    const P = panels(N)
    if (!helper || 2 * M * N * K < parallelFlops || (P < 2 && M < 2 * mr)) {
      ex.gemmPacked(M, N, K, a, rsA, csA, packed.offset, c, ldc, alpha, accumulate, 0, P)
    } else if (P >= 2) {
      // split the columns: both threads read all of A, each its half of B, and write disjoint C
      const mid = Math.ceil(P / 2)
      helper.post(GEMM_JOB, [M, N, K, a, rsA, csA, packed.offset, c, ldc, alpha, accumulate, mid, P])
      ex.gemmPacked(M, N, K, a, rsA, csA, packed.offset, c, ldc, alpha, accumulate, 0, mid)
      helper.wait()
    } else {
      const top = Math.ceil(M / 2 / mr) * mr
      const a2 = a + top * rsA * 4
      const c2 = c + top * ldc * 4
      helper.post(GEMM_JOB, [M - top, N, K, a2, rsA, csA, packed.offset, c2, ldc, alpha, accumulate, 0, P])
      ex.gemmPacked(top, N, K, a, rsA, csA, packed.offset, c, ldc, alpha, accumulate, 0, P)
      helper.wait()
    }
  }

  const gemm: Kernels['gemm'] = (M, N, K, a, b, c, opts = {}) => {
    checkDims('gemm', { M, N, K })
    const bytes = packedBytes(K, N)
    if (bytes > workspace.bytes) {
      if (!options.arena) {
        throw new Error(
          'gemm: B must be packed into a workspace: pass `arena` to createKernels, or use packB + gemmPacked',
        )
      }
      const grown = Math.max(bytes, workspace.bytes * 2)
      workspace = { offset: options.arena.allocBytes(grown), bytes: grown }
    }
    const packed = packB(K, N, b, workspace.offset, opts)
    gemmPacked(M, a, packed, c, opts)
  }

  const range =
    (kernel: KernelExports['exp']): RangeKernel =>
    (n, src, dst) => {
      checkDims('pointwise', { n })
      checkRange('pointwise: source', src, 1, n, n)
      checkRange('pointwise: destination', dst, 1, n, n)
      kernel(1, n, src, 0, dst, 0)
    }

  const fusedCache = new Map<string, FusedKernel>()
  return {
    memory,
    tiling,
    threads: helper ? 2 : 1,
    exports: ex,
    packedBytes,
    packB,
    gemmPacked,
    gemm,
    exp: range(ex.exp),
    sigmoid: range(ex.sigmoid),
    tanh: range(ex.tanh),
    fused: (outputs) => compileFused(memory, outputs, fusedCache),
    dispose: () => helper?.stop(),
  }
}
