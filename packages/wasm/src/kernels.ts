import type { Arena } from './arena.js'
import { checkTiling, defaultTiling, type Tiling } from './gemm/tiling.js'
import { buildKernelModule, type KernelExports } from './kernelModule.js'
import { memoryChecks } from './kernels/checks.js'
import { products } from './kernels/products.js'
import { Workspace } from './kernels/workspace.js'
import { compileFused, type FusedKernel } from './pointwise/compileFused.js'
import type { Expr } from './pointwise/expr.js'
import { fusedThreads } from './threads/fusedThreads.js'
import { HelperThread } from './threads/helperThread.js'
import { JOBS, JobRunner } from './threads/jobs.js'

export interface KernelsOptions {
  /** The memory every kernel works on; shared (with a maximum) when threads = 2. */
  readonly memory: WebAssembly.Memory
  /** 1 (default) or 2: products of at least `parallelFlops` are split with a helper thread. */
  readonly threads?: 1 | 2
  /** Smallest product (2·M·N·K) worth waking the helper for. Default 2^21 (about 0.1 ms of work). */
  readonly parallelFlops?: number
  /**
   * Smallest product (2·M·N·K) with a transposed A for which A is packed into the arena's
   * workspace first. Default 2^20; products without an arena never pack A.
   */
  readonly packAFlops?: number
  /** Where `gemm` packs B when the caller did not (and Aᵀ): allocated on first use. */
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

/**
 * dst[r·ldo] = the reduction of row r: `cols` floats at byte `src` + r·ld·4 (strides in floats).
 * Sums and means accumulate in float64; a max keeps NaN.
 */
export type RowReduceKernel = (
  rows: number,
  cols: number,
  src: number,
  ld: number,
  dst: number,
  ldo: number,
) => void

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
  /** Packs new values of B into an existing packed matrix (same shape and layout; allocates nothing). */
  repack(packed: PackedMatrix, b: number, options?: Pick<GemmOptions, 'transB' | 'ldb'>): void
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
  readonly rowSum: RowReduceKernel
  readonly rowMean: RowReduceKernel
  readonly rowMax: RowReduceKernel
  /** Whether all n floats at byte `src` are finite (no NaN, no ±Infinity). */
  allFinite(n: number, src: number): boolean
  /**
   * Copies n floats from byte `src` to byte `dst` (src may equal dst; other overlaps are not
   * allowed) and says whether all were finite, in one pass: the copy is made either way.
   */
  copyFinite(n: number, src: number, dst: number): boolean
  /** Compiles (once per distinct expression list) a fused pointwise kernel on this memory. */
  fused(outputs: readonly Expr[]): FusedKernel
  /**
   * How long, in all, the calling thread has waited idle for the helper to finish its share of
   * split work, in ticks of about STALL_TICK_MS (0.1 ms): an integer, so that reading it
   * allocates nothing; 0 on one thread. Large against a run's time, the helper is not getting a
   * core.
   */
  readonly helperStallTicks: number
  /**
   * Whether work may be split with the helper thread (default true; no effect on one thread).
   * False runs everything on the calling thread and leaves the helper idle but started.
   */
  helperEnabled: boolean
  /** Stops the helper thread. */
  dispose(): void
}

/** The default `parallelFlops`: 2^21, about 0.1 ms of work. */
export const DEFAULT_PARALLEL_FLOPS = 1 << 21

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

/** The kernels of one memory: the module's exports behind checks, the products, the helper's share. */
const assemble = (options: KernelsOptions, helper: HelperThread | undefined): Kernels => {
  const { memory, arena } = options
  const tiling = checkTiling({ ...defaultTiling, ...options.tiling })
  const module = kernelModule(tiling, isShared(memory))
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports
  const check = memoryChecks(memory)
  const jobs = new JobRunner(helper)
  const matrices = products({
    memory,
    ex,
    tiling,
    check,
    jobs,
    parallelFlops: options.parallelFlops ?? DEFAULT_PARALLEL_FLOPS,
    packAFlops: options.packAFlops ?? 1 << 20,
    bWorkspace: new Workspace(
      arena,
      'gemm: B must be packed into a workspace: pass `arena` to createKernels, or use packB + gemmPacked',
    ),
    aWorkspace: arena ? new Workspace(arena, '') : undefined,
  })

  const range =
    (kernel: KernelExports['exp']): RangeKernel =>
    (n, src, dst) => {
      check.size('pointwise', 'n', n)
      check.range('pointwise: source', src, 1, n, n)
      check.range('pointwise: destination', dst, 1, n, n)
      kernel(1, n, src, 0, dst, 0)
    }
  const rowReduce =
    (kernel: KernelExports['rowSum'], what: string): RowReduceKernel =>
    (rows, cols, src, ld, dst, ldo) => {
      check.size(what, 'rows', rows)
      check.size(what, 'cols', cols)
      check.stride(what, 'ld', ld, 0)
      check.stride(what, 'ldo', ldo, 0)
      check.range(`${what}: source`, src, rows, cols, ld)
      check.range(`${what}: destination`, dst, rows, 1, ldo)
      kernel(rows, cols, src, ld, dst, ldo)
    }

  const fusedCache = new Map<string, FusedKernel>()
  const threads = helper && arena ? fusedThreads(memory, arena, helper, jobs) : undefined
  return {
    memory,
    tiling,
    threads: helper ? 2 : 1,
    exports: ex,
    ...matrices,
    exp: range(ex.exp),
    sigmoid: range(ex.sigmoid),
    tanh: range(ex.tanh),
    rowSum: rowReduce(ex.rowSum, 'rowSum'),
    rowMean: rowReduce(ex.rowMean, 'rowMean'),
    rowMax: rowReduce(ex.rowMax, 'rowMax'),
    allFinite(n, src) {
      check.size('allFinite', 'n', n)
      check.range('allFinite: source', src, 1, n, n)
      return ex.allFinite(n, src) === 1
    },
    copyFinite(n, src, dst) {
      check.size('copyFinite', 'n', n)
      check.range('copyFinite: source', src, 1, n, n)
      check.range('copyFinite: destination', dst, 1, n, n)
      return ex.copyFinite(n, src, dst) === 1
    },
    fused: (outputs) => compileFused(memory, outputs, fusedCache, threads),
    get helperEnabled() {
      return jobs.enabled
    },
    set helperEnabled(enabled: boolean) {
      jobs.enabled = enabled
    },
    get helperStallTicks() {
      return helper?.stallTicks ?? 0
    },
    dispose: () => helper?.stop(),
  }
}
