import type { KernelExports } from '../kernelModule.js'
import type { HelperThread } from './helperThread.js'
import type { JobSpec } from './workerMain.js'

/**
 * The arguments of a split matrix product, by name: the kernel module's gemmPacked(m, n, k, a,
 * rsA, csA, bp, c, ldc, alpha, accumulate, p0, p1, tileStep) over panels p0..p1, and the number of
 * panels a thread claims at a time after them (`chunk`). One reused instance: setting allocates
 * nothing.
 */
export class ProductArgs {
  m = 0
  n = 0
  k = 0
  a = 0
  rsA = 0
  csA = 0
  bp = 0
  c = 0
  ldc = 0
  alpha = 1
  accumulate = 0
  tileStep = 0
  /** Word positions of the job's float argument, its panel range and its chunk size. */
  static readonly at = { alpha: 9, p0: 11, p1: 12, chunk: 14 } as const

  write(words: number[]): void {
    words[0] = this.m
    words[1] = this.n
    words[2] = this.k
    words[3] = this.a
    words[4] = this.rsA
    words[5] = this.csA
    words[6] = this.bp
    words[7] = this.c
    words[8] = this.ldc
    words[9] = this.alpha
    words[10] = this.accumulate
    words[13] = this.tileStep
  }
  run(ex: KernelExports, p0: number, p1: number): void {
    ex.gemmPacked(
      this.m,
      this.n,
      this.k,
      this.a,
      this.rsA,
      this.csA,
      this.bp,
      this.c,
      this.ldc,
      this.alpha,
      this.accumulate,
      p0,
      p1,
      this.tileStep,
    )
  }
}

/**
 * The arguments of a split pack, by name: packB(k, n, src, rs, cs, dst, p0, p1) over panels of B,
 * or packA(m, k, …) over row panels of Aᵀ (`rows` is K or M, `cols` N or K).
 */
export class PackArgs {
  rows = 0
  cols = 0
  src = 0
  rs = 0
  cs = 0
  dst = 0
  static readonly at = { p0: 6, p1: 7, chunk: 8 } as const

  set(rows: number, cols: number, src: number, rs: number, cs: number, dst: number): this {
    this.rows = rows
    this.cols = cols
    this.src = src
    this.rs = rs
    this.cs = cs
    this.dst = dst
    return this
  }
  write(words: number[]): void {
    words[0] = this.rows
    words[1] = this.cols
    words[2] = this.src
    words[3] = this.rs
    words[4] = this.cs
    words[5] = this.dst
  }
}

const product = ProductArgs.at
const pack = PackArgs.at
/** The helper's jobs by number: which export runs, which words are floats, how a range splits. */
export const JOBS: readonly JobSpec[] = [
  {
    name: 'gemmPacked',
    floatArgs: [product.alpha],
    chunked: { from: product.p0, to: product.p1, chunk: product.chunk },
  },
  { name: 'packB', floatArgs: [], chunked: { from: pack.p0, to: pack.p1, chunk: pack.chunk } },
  { name: 'gemmPacked', floatArgs: [product.alpha] },
  { name: 'packA', floatArgs: [], chunked: { from: pack.p0, to: pack.p1, chunk: pack.chunk } },
]
export const GEMM_JOB = 0
export const PACK_JOB = 1
/** A product with a single panel of B, split by rows in two halves. */
export const GEMM_ROWS_JOB = 2
export const PACK_A_JOB = 3

/**
 * A split product or pack is handed out in about this many chunks of panels: small enough that a
 * thread that starts late or is slowed down leaves its share to the other, large enough that the
 * operand A (read again for every chunk) stays cheap.
 */
const CHUNKS = 16
export const chunkOf = (panels: number) => Math.max(1, Math.ceil(panels / CHUNKS))

/** Posts jobs to the helper with reused argument words, and shares chunked ones. */
export class JobRunner {
  /** Whether work may be split with the helper (see Kernels.helperEnabled). */
  enabled = true
  private readonly words: number[] = new Array(16).fill(0)
  constructor(readonly helper: HelperThread | undefined) {}

  get active(): boolean {
    return this.helper !== undefined && this.enabled
  }
  /**
   * Runs chunked job `job` over `items` work items on both threads: the helper and this thread
   * (`run(first, end)`) claim chunks until none are left.
   */
  share(
    job: number,
    args: { write(words: number[]): void },
    items: number,
    run: (first: number, end: number) => void,
  ) {
    const helper = this.helper!
    const range = JOBS[job]!.chunked!
    const size = chunkOf(items)
    args.write(this.words)
    this.words[range.from] = 0
    this.words[range.to] = items
    this.words[range.chunk] = size
    helper.post(job, this.words)
    for (let first = helper.claim(size); first < items; first = helper.claim(size))
      run(first, Math.min(first + size, items))
    helper.wait()
  }
  /** Starts a product over panels 0..panels on the helper (see `wait`). */
  postProduct(args: ProductArgs, panels: number) {
    args.write(this.words)
    this.words[product.p0] = 0
    this.words[product.p1] = panels
    this.helper!.post(GEMM_ROWS_JOB, this.words)
  }
  wait() {
    this.helper!.wait()
  }
}
