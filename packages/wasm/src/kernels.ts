import type { Arena } from './arena.js'
import { checkTiling, defaultTiling, type Tiling } from './gemm/tiling.js'
import { buildKernelModule, type KernelExports } from './kernelModule.js'
import { compileFused, type FusedKernel, type FusedThreads } from './pointwise/compileFused.js'
import type { Expr } from './pointwise/expr.js'
import { fusedByColumns, fusedChunk, fusedUnits } from './threads/fusedChunk.js'
import { HelperThread } from './threads/helperThread.js'
import { type JobSpec, LOAD_FUSED_JOB, MAX_ARGS, RUN_FUSED_JOB } from './threads/workerMain.js'

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

const NO_OPTIONS: GemmOptions = {}

/** The default `parallelFlops`: 2^21, about 0.1 ms of work. */
export const DEFAULT_PARALLEL_FLOPS = 1 << 21

// gemmPacked(M, N, K, a, rsA, csA, bp, c, ldc, alpha, accumulate, p0, p1, tileStep) and
// packB(K, N, b, rsB, csB, dst, p0, p1) over panels p0..p1; the chunk size follows the arguments.
const JOBS: readonly JobSpec[] = [
  { name: 'gemmPacked', floatArgs: [9], chunked: { from: 11, to: 12, chunk: 14 } },
  { name: 'packB', floatArgs: [], chunked: { from: 6, to: 7, chunk: 8 } },
  { name: 'gemmPacked', floatArgs: [9] },
  { name: 'packA', floatArgs: [], chunked: { from: 6, to: 7, chunk: 8 } },
]
const GEMM_JOB = 0
const PACK_JOB = 1
/** A product with a single panel of B, split by rows in two halves. */
const GEMM_ROWS_JOB = 2
const PACK_A_JOB = 3
/**
 * A split product or pack is handed out in about this many chunks of panels: small enough that a
 * thread that starts late or is slowed down leaves its share to the other, large enough that the
 * operand A (read again for every chunk) stays cheap.
 */
const CHUNKS = 16
const chunkOf = (panels: number) => Math.max(1, Math.ceil(panels / CHUNKS))
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
  const parallelFlops = options.parallelFlops ?? DEFAULT_PARALLEL_FLOPS
  const packAFlops = options.packAFlops ?? 1 << 20
  const { nr, mr } = tiling
  const panels = (N: number) => Math.ceil(N / nr)
  const packedBytes = (K: number, N: number) => panels(N) * nr * K * 4
  // where gemm packs B and gemmPacked packs Aᵀ, grown on demand from the arena
  let workspace = { offset: 0, bytes: 0 }
  let aWorkspace = { offset: 0, bytes: 0 }
  const grow = (old: { bytes: number }, bytes: number) => {
    const grown = Math.max(bytes, old.bytes * 2)
    return { offset: options.arena!.allocBytes(grown), bytes: grown }
  }

  /** The memory only grows: re-read its size only when an operand seems to be past it. */
  let memoryBytes = memory.buffer.byteLength
  const checkRange = (what: string, offset: number, rows: number, cols: number, ld: number) => {
    if (!Number.isInteger(offset) || offset < 0)
      throw new RangeError(`${what}: byte offset ${offset} is invalid`)
    if (rows === 0 || cols === 0) return
    const end = offset + ((rows - 1) * ld + cols) * 4
    if (end > memoryBytes) memoryBytes = memory.buffer.byteLength
    if (end > memoryBytes) {
      throw new RangeError(
        `${what}: ${rows}x${cols} floats (row stride ${ld}) at byte ${offset} end at ${end}, past the memory's ${memoryBytes} bytes`,
      )
    }
  }
  const checkSize = (what: string, name: string, value: number) => {
    if (!Number.isInteger(value) || value < 0)
      throw new RangeError(`${what}: ${name} = ${value} is not a size`)
  }
  const checkStride = (what: string, name: string, ld: number, min: number) => {
    if (!Number.isInteger(ld) || ld < min)
      throw new RangeError(`${what}: ${name} = ${ld}, must be an integer >= ${min}`)
  }
  const state = { helperEnabled: true }
  // the helper's job arguments, reused so that no call allocates
  const jobArgs: number[] = new Array(16).fill(0)
  const post = (job: number) => helper!.post(job, jobArgs)
  /** Sets the first job arguments. */
  const setArgs = (...args: number[]) => {
    for (let i = 0; i < args.length; i++) jobArgs[i] = args[i]!
  }
  /**
   * Runs a chunked job over `items` work items on both threads: its other arguments are set in
   * jobArgs; the helper and this thread (`chunk(first, end)`) claim chunks until none are left.
   */
  const share = (job: number, items: number, run: (first: number, end: number) => void) => {
    const range = JOBS[job]!.chunked!
    const size = chunkOf(items)
    jobArgs[range.from] = 0
    jobArgs[range.to] = items
    jobArgs[range.chunk] = size
    post(job)
    for (let first = helper!.claim(size); first < items; first = helper!.claim(size))
      run(first, Math.min(first + size, items))
    helper!.wait()
  }
  // this thread's chunks, reading the job's arguments
  const j = jobArgs
  const packBChunk = (p0: number, p1: number) => ex.packB(j[0]!, j[1]!, j[2]!, j[3]!, j[4]!, j[5]!, p0, p1)
  const packAChunk = (p0: number, p1: number) => ex.packA(j[0]!, j[1]!, j[2]!, j[3]!, j[4]!, j[5]!, p0, p1)
  const gemmChunk = (p0: number, p1: number) =>
    ex.gemmPacked(
      j[0]!,
      j[1]!,
      j[2]!,
      j[3]!,
      j[4]!,
      j[5]!,
      j[6]!,
      j[7]!,
      j[8]!,
      j[9]!,
      j[10]!,
      p0,
      p1,
      j[13]!,
    )

  const packInto = (
    K: number,
    N: number,
    b: number,
    dst: number,
    transB: boolean,
    ldbOption: number | undefined,
  ) => {
    checkSize('packB', 'K', K)
    checkSize('packB', 'N', N)
    const ldb = ldbOption ?? (transB ? K : N)
    checkStride('packB', 'ldb', ldb, transB ? K : N)
    if (transB) checkRange('packB: B (N x K, transposed)', b, N, K, ldb)
    else checkRange('packB: B (K x N)', b, K, N, ldb)
    checkRange('packB: destination', dst, 1, packedBytes(K, N) / 4, 0)
    const rsB = transB ? 1 : ldb
    const csB = transB ? ldb : 1
    const P = panels(N)
    if (helper && state.helperEnabled && K * N >= PARALLEL_PACK_FLOATS && P >= 2) {
      setArgs(K, N, b, rsB, csB, dst)
      share(PACK_JOB, P, packBChunk)
    } else ex.packB(K, N, b, rsB, csB, dst, 0, P)
  }

  const packB: Kernels['packB'] = (K, N, b, dst, opts = NO_OPTIONS) => {
    packInto(K, N, b, dst, opts.transB === true, opts.ldb)
    return { offset: dst, K, N, bytes: packedBytes(K, N) }
  }

  const repack: Kernels['repack'] = (packed, b, opts = NO_OPTIONS) => {
    packInto(packed.K, packed.N, b, packed.offset, opts.transB === true, opts.ldb)
  }

  /** Packs Aᵀ's row panels (checked already), split between the threads when it pays. */
  const packA = (M: number, K: number, a: number, rsA: number, csA: number, dst: number) => {
    const P = Math.ceil(M / mr)
    if (!helper || !state.helperEnabled || M * K < PARALLEL_PACK_FLOATS || P < 2) {
      ex.packA(M, K, a, rsA, csA, dst, 0, P)
      return
    }
    setArgs(M, K, a, rsA, csA, dst)
    share(PACK_A_JOB, P, packAChunk)
  }

  /** gemmPacked on rows/columns already checked; splits between the threads when it pays. */
  const multiply = (
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
    tileStep: number,
  ) => {
    const P = panels(N)
    if (!helper || !state.helperEnabled || 2 * M * N * K < parallelFlops || (P < 2 && M < 2 * mr)) {
      ex.gemmPacked(M, N, K, a, rsA, csA, bp, c, ldc, alpha, accumulate, 0, P, tileStep)
      return
    }
    const byColumns = P >= 2
    // by columns, both threads read all of A and claim chunks of panels of B, writing disjoint
    // columns of C; when B is a single panel, the helper takes the bottom half of the rows
    const top = byColumns ? 0 : Math.ceil(M / 2 / mr) * mr
    setArgs(M - top, N, K, a + top * tileStep * 4, rsA, csA, bp, c + top * ldc * 4, ldc, alpha, accumulate)
    jobArgs[13] = tileStep
    if (byColumns) return share(GEMM_JOB, P, gemmChunk)
    jobArgs[11] = 0
    jobArgs[12] = P
    post(GEMM_ROWS_JOB)
    ex.gemmPacked(top, N, K, a, rsA, csA, bp, c, ldc, alpha, accumulate, 0, P, tileStep)
    helper.wait()
  }

  const gemmPacked: Kernels['gemmPacked'] = (M, a, packed, c, opts = NO_OPTIONS) => {
    const { K, N } = packed
    checkSize('gemm', 'M', M)
    const transA = opts.transA === true
    const lda = opts.lda ?? (transA ? M : K)
    const ldc = opts.ldc ?? N
    checkStride('gemm', 'lda', lda, transA ? M : K)
    checkStride('gemm', 'ldc', ldc, N)
    if (transA) checkRange('gemm: A (K x M, transposed)', a, K, M, lda)
    else checkRange('gemm: A (M x K)', a, M, K, lda)
    checkRange('gemm: C (M x N)', c, M, N, ldc)
    if (M === 0 || N === 0) return
    const accumulate = opts.accumulate ? 1 : 0
    if (K === 0) {
      // an empty sum: C = 0 (or unchanged when accumulating)
      if (!accumulate) for (let i = 0; i < M; i++) new Float32Array(memory.buffer, c + i * ldc * 4, N).fill(0)
      return
    }
    const alpha = opts.alpha ?? 1
    if (transA && options.arena && 2 * M * N * K >= packAFlops) {
      // Aᵀ read in place touches a new cache line per k; packed, each tile reads one contiguous run
      const bytes = Math.ceil(M / mr) * mr * K * 4
      if (bytes > aWorkspace.bytes) aWorkspace = grow(aWorkspace, bytes)
      packA(M, K, a, 1, lda, aWorkspace.offset)
      multiply(M, N, K, aWorkspace.offset, 1, mr, packed.offset, c, ldc, alpha, accumulate, K)
    } else {
      const rsA = transA ? 1 : lda
      multiply(M, N, K, a, rsA, transA ? lda : 1, packed.offset, c, ldc, alpha, accumulate, rsA)
    }
  }

  const gemm: Kernels['gemm'] = (M, N, K, a, b, c, opts = NO_OPTIONS) => {
    checkSize('gemm', 'M', M)
    checkSize('gemm', 'N', N)
    checkSize('gemm', 'K', K)
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
    packInto(K, N, b, workspace.offset, opts.transB === true, opts.ldb)
    workspaceMatrix.K = K
    workspaceMatrix.N = N
    workspaceMatrix.offset = workspace.offset
    gemmPacked(M, a, workspaceMatrix, c, opts)
  }
  const workspaceMatrix = { offset: 0, K: 0, N: 0, bytes: 0 }

  const range =
    (kernel: KernelExports['exp']): RangeKernel =>
    (n, src, dst) => {
      checkSize('pointwise', 'n', n)
      checkRange('pointwise: source', src, 1, n, n)
      checkRange('pointwise: destination', dst, 1, n, n)
      kernel(1, n, src, 0, dst, 0)
    }

  const rowReduce =
    (kernel: KernelExports['rowSum'], what: string): RowReduceKernel =>
    (rows, cols, src, ld, dst, ldo) => {
      checkSize(what, 'rows', rows)
      checkSize(what, 'cols', cols)
      checkStride(what, 'ld', ld, 0)
      checkStride(what, 'ldo', ldo, 0)
      checkRange(`${what}: source`, src, rows, cols, ld)
      checkRange(`${what}: destination`, dst, rows, 1, ldo)
      kernel(rows, cols, src, ld, dst, ldo)
    }

  const fusedCache = new Map<string, FusedKernel>()
  let loadedFused = 0
  const fusedArgs: number[] = new Array(MAX_ARGS).fill(0)
  const fusedThreads: FusedThreads | undefined =
    helper && options.arena
      ? {
          get active() {
            return state.helperEnabled
          },
          load(binary, flags) {
            // a run passes id, chunk size, rows, cols and two numbers per operand
            if (4 + 2 * flags.length > MAX_ARGS) return undefined
            const at = options.arena!.allocBytes(binary.length)
            new Uint8Array(memory.buffer, at, binary.length).set(binary)
            const id = loadedFused++
            helper.post(LOAD_FUSED_JOB, [id, at, binary.length, flags.length, ...flags])
            helper.wait()
            return id
          },
          run(id, raw, call, flags, chunk) {
            const columns = fusedByColumns(call, flags.length, flags)
            const units = fusedUnits(call, columns)
            const size = chunkOf(units)
            fusedArgs[0] = id
            fusedArgs[1] = size
            for (let i = 0; i < call.length; i++) fusedArgs[2 + i] = call[i]!
            helper.post(RUN_FUSED_JOB, fusedArgs, 0, 2 + call.length)
            for (let first = helper.claim(size); first < units; first = helper.claim(size)) {
              fusedChunk(call, flags.length, flags, columns, first, Math.min(first + size, units), chunk)
              Reflect.apply(raw, undefined, chunk)
            }
            helper.wait()
          },
        }
      : undefined
  return {
    memory,
    tiling,
    threads: helper ? 2 : 1,
    exports: ex,
    packedBytes,
    packB,
    repack,
    gemmPacked,
    gemm,
    exp: range(ex.exp),
    sigmoid: range(ex.sigmoid),
    tanh: range(ex.tanh),
    rowSum: rowReduce(ex.rowSum, 'rowSum'),
    rowMean: rowReduce(ex.rowMean, 'rowMean'),
    rowMax: rowReduce(ex.rowMax, 'rowMax'),
    fused: (outputs) => compileFused(memory, outputs, fusedCache, fusedThreads),
    get helperEnabled() {
      return state.helperEnabled
    },
    set helperEnabled(enabled: boolean) {
      state.helperEnabled = enabled
    },
    get helperStallTicks() {
      return helper?.stallTicks ?? 0
    },
    dispose: () => helper?.stop(),
  }
}
