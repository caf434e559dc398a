import { apply, type Expr, input } from '@cellgraph/wasm'
import type { ScanArg, ScanCall, ScanPlan } from './wasmScan.js'

/**
 * Where a value lives in generated code: array `arr` at element `off + Σ t_d·strides[d−1]`, an
 * affine function of the enclosing loops' steps t1, t2, … (strides absent: fixed).
 */
export interface Slot {
  readonly arr: string
  readonly off: number
  readonly strides?: readonly number[]
}

/** A slot's element offset as generated code: `t1 * 24 + 3`, or `0`. */
export function offText({ off, strides = [] }: Slot): string {
  const terms = strides.flatMap((s, d) => (s === 0 ? [] : [`t${d + 1} * ${s}`]))
  if (off !== 0 || terms.length === 0) terms.push(String(off))
  return terms.join(' + ')
}

export const shifted = (s: Slot, by: number): Slot => ({ ...s, off: s.off + by })

/** The slot moved by `stride` elements per step of loop `depth`. */
export function stepping(s: Slot, depth: number, stride: number): Slot {
  const strides = [...(s.strides ?? [])]
  while (strides.length < depth) strides.push(0)
  strides[depth - 1]! += stride
  return { ...s, strides }
}

export const plus = (off: string, e: string) => (off === '0' ? e : `${off} + ${e}`)

export const i32 = (value: number): ScanArg => ({ kind: 'i32', value })

/** A generated line: JavaScript, or a WebAssembly kernel call that a whole scan can take as is. */
interface Line {
  readonly depth: number
  readonly text: string
  readonly call?: ScanCall
  readonly flops?: number
  readonly comment?: boolean
}

/** Collects the generated code of one program at one size: buffers, init lines, run lines. */
export class Writer {
  lines: Line[] = []
  readonly init: string[] = []
  /** Lines at the start of every run (byte addresses of the input arrays). */
  readonly prologue: string[] = []
  readonly bufferSizes: number[] = []
  readonly wasmKernels: (readonly Expr[])[] = []
  /** Arrays that hold weight packs, and inputs that packs are built from. */
  readonly packBuffers = new Set<string>()
  readonly packedInputs = new Set<number>()
  /** Scans compiled to one WebAssembly loop each (the code calls scan k as S<k>). */
  readonly scans: ScanPlan[] = []
  depth = 1
  private readonly bases = new Set<string>()
  private readonly named = new Map<string, number>()
  constructor(readonly wasm: boolean) {}

  /** A variable holding the byte address of array `arr` in the WebAssembly memory. */
  base(arr: string): string {
    const name = `a${arr}`
    if (!this.bases.has(arr)) {
      this.bases.add(arr)
      const line = `const ${name} = K.pointwise.base(${arr})`
      if (arr.startsWith('b')) this.init.push(line)
      else this.prologue.push(line)
    }
    return name
  }
  alloc(size: number): Slot {
    this.bufferSizes.push(size)
    return { arr: `b${this.bufferSizes.length - 1}`, off: 0 }
  }
  /** The index (in F) of a WebAssembly kernel the generated code uses in several places. */
  kernel(name: string, exprs: readonly Expr[]): number {
    let k = this.named.get(name)
    if (k === undefined) {
      k = this.wasmKernels.push(exprs) - 1
      this.named.set(name, k)
    }
    return k
  }
  /** Byte address of a slot in the WebAssembly memory, as an expression. */
  address(s: Slot): string {
    const off = offText(s)
    return `${this.base(s.arr)}${off === '0' ? '' : ` + 4 * (${off})`}`
  }
  /** A slot's address as a whole-scan argument: undefined where it moves with an inner loop. */
  arg(s: Slot): ScanArg | undefined {
    const [stride = 0, ...inner] = s.strides ?? []
    if (inner.some((x) => x !== 0)) return undefined
    return { kind: 'address', base: this.base(s.arr), offset: 4 * s.off, stride: 4 * stride }
  }
  /** A WebAssembly kernel call, as JavaScript and as the call a whole scan makes. */
  wasmCall(text: string, call: ScanCall | undefined, flops = 0) {
    this.lines.push({ depth: this.depth, text, call, flops })
  }
  /** F[kernel](head..., address, ld, ...): a fused kernel over operands with row strides. */
  fusedCall(
    kernel: number,
    head: readonly number[],
    operands: readonly (readonly [Slot, number])[],
    note = '',
  ) {
    const js = [...head, ...operands.map(([slot, ld]) => `${this.address(slot)}, ${ld}`)].join(', ')
    const args: (ScanArg | undefined)[] = head.map(i32)
    for (const [slot, ld] of operands) args.push(this.arg(slot), i32(ld))
    const call = args.every((a) => a !== undefined)
      ? { target: { kind: 'fused' as const, index: kernel }, args: args as ScanArg[] }
      : undefined
    this.wasmCall(`F[${kernel}](${js})${note}`, call)
  }
  /**
   * Copies a [rows, cols] block between row strides `srcLd` and `dstLd` (floats): one SIMD kernel
   * call in WebAssembly mode (a dense block as one long row), else the given helper call.
   */
  block(rows: number, cols: number, src: Slot, srcLd: number, dst: Slot, dstLd: number, js: string) {
    if (!this.wasm) return this.line(js)
    const identity = this.kernel('identity', [input(0)])
    const dense = srcLd === cols && dstLd === cols
    const [r, c] = dense ? [1, rows * cols] : [rows, cols]
    const [ls, ld] = dense ? [c, c] : [srcLd, dstLd]
    this.fusedCall(
      identity,
      [r, c],
      [
        [src, ls],
        [dst, ld],
      ],
      ' // copy',
    )
  }
  /** out[j] = Σ_r x[r, j] as SIMD: out = 0, then the add kernel over rows with out repeated (stride 0). */
  columnSums(rows: number, f: number, x: Slot, out: Slot) {
    this.line(`H.fill(${f}, 0, ${out.arr}, ${offText(out)})`)
    const add = this.kernel('rowSum', [apply('add', input(0), input(1))])
    const at = this.address(out)
    this.line(`F[${add}](${rows}, ${f}, ${at}, 0, ${this.address(x)}, ${f}, ${at}, 0) // sum of rows`)
  }
  line(text: string) {
    this.lines.push({ depth: this.depth, text, comment: text.startsWith('//') })
  }
  open(text: string) {
    this.line(text)
    this.depth++
  }
  close() {
    this.depth--
    this.line('}')
  }
  /** The lines `body` writes, taken out of the code: whether they are all WebAssembly calls decides a whole scan. */
  capture(body: () => void): Line[] {
    const outer = this.lines
    this.lines = []
    body()
    const taken = this.lines
    this.lines = outer
    return taken
  }
  /** Kernel calls of captured lines (comments skipped), or undefined if any line is not one. */
  static calls(lines: readonly Line[]): { calls: ScanCall[]; maxFlops: number } | undefined {
    const calls: ScanCall[] = []
    let maxFlops = 0
    for (const l of lines) {
      if (l.comment) continue
      if (!l.call) return undefined
      calls.push(l.call)
      maxFlops = Math.max(maxFlops, l.flops ?? 0)
    }
    return { calls, maxFlops }
  }
  text(): string[] {
    return this.lines.map((l) => '  '.repeat(l.depth) + l.text)
  }
}
