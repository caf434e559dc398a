import {
  elementCount,
  type Graph,
  GraphError,
  type GraphTypes,
  isRows,
  type Node,
  nodeMap,
  type OpName,
  parseRef,
  type Ref,
  ref,
  type ValueType,
  verify,
} from '@cellgraph/graph'
import { apply, type Expr, input } from '@cellgraph/wasm'
import type { Attrs } from '../passes/edit.js'
import type { Program } from '../passes/program.js'
import { type FusedKernel, fusePointwise } from '../plan/fusion.js'
import { pointwiseExpression } from './expressions.js'
import { addressArg, i32, ScanRecording } from './scanRecording.js'
import { planWasmFused, type WasmFusedPlan } from './wasmFused.js'
import type { ScanArg, ScanCall, ScanPlan } from './wasmScan.js'

/** Where a value lives in generated code: an array variable and an offset expression (in elements). */
interface Slot {
  readonly arr: string
  readonly off: string
}

export interface RunSizes {
  readonly batch: number
  readonly steps: number
}

/** Generated JavaScript for a program at one batch size and sequence length. */
export interface GeneratedCode {
  readonly source: string
  /** Sizes (float32 elements) of the buffers the code addresses as b0, b1, ... */
  readonly bufferSizes: readonly number[]
  /** Per graph output: the buffer that holds it and its element count. */
  readonly outputs: readonly { readonly buffer: number; readonly size: number }[]
  /**
   * The inputs (by position) that weight packs are built from: the code rebuilds its packs only
   * when its first argument, `fresh`, is true (some of these changed since the last run).
   */
  readonly packedInputs: readonly number[]
  /** Fused kernels emitted as WebAssembly (the code calls kernel k as F[k]): their expressions. */
  readonly wasmKernels: readonly (readonly Expr[])[]
  /**
   * Scans compiled to one WebAssembly loop each (the code builds scan k from SP[k] as S<k>,
   * calling the raw fused kernels FR rather than F, which may share a call with a helper thread).
   */
  readonly wasmScans: readonly ScanPlan[]
}

export interface GenerateOptions {
  /** Loop-invariant weights of products are packed before the time loop (K.packing). */
  readonly packing?: boolean
  /** Fused pointwise kernels become WebAssembly SIMD kernels (K.pointwise) where they can. */
  readonly wasmPointwise?: boolean
  /**
   * With WebAssembly kernels: a top-level scan whose steps are kernel calls only, its products all
   * under `maxProductFlops` (2·M·N·K), runs as one WebAssembly loop (K.pointwise.scans).
   */
  readonly wholeScans?: { readonly maxProductFlops: number }
}

const plus = (off: string, e: string) => (off === '0' ? e : `${off} + ${e}`)

class Writer {
  readonly lines: string[] = []
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
  /** While a scan body that may become one WebAssembly loop is generated: its calls. */
  recording: ScanRecording | undefined
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
  private depth = 1
  alloc(size: number): Slot {
    this.bufferSizes.push(size)
    return { arr: `b${this.bufferSizes.length - 1}`, off: '0' }
  }
  /** The index (in F) of a WebAssembly kernel the generated code uses in several places. */
  kernel(name: string, exprs: readonly Expr[]): number {
    let k = this.named.get(name)
    if (k === undefined) {
      k = this.wasmKernels.length
      this.wasmKernels.push(exprs)
      this.named.set(name, k)
    }
    return k
  }
  /** Byte address of a slot in the WebAssembly memory, as an expression. */
  address(s: Slot): string {
    return `${this.base(s.arr)}${s.off === '0' ? '' : ` + 4 * (${s.off})`}`
  }
  /** A slot's address as an argument of a recorded call (undefined: not affine in the step). */
  arg(s: Slot): ScanArg | undefined {
    return addressArg(this.base(s.arr), s.off)
  }
  /**
   * A line that calls a WebAssembly kernel; while a scan body is recorded, `call` describes it
   * (undefined when it cannot be described, which spoils the recording).
   */
  wasmCall(js: string, call: () => ScanCall | undefined, productFlops = 0) {
    this.lines.push('  '.repeat(this.depth) + js)
    this.recording?.add(call(), productFlops)
  }
  /** F[kernel](args) with each operand an address and a row stride, recorded as such. */
  fusedCall(
    kernel: number,
    head: readonly number[],
    operands: readonly (readonly [Slot, number])[],
    note = '',
  ) {
    const js = [...head, ...operands.map(([slot, ld]) => `${this.address(slot)}, ${ld}`)].join(', ')
    this.wasmCall(`F[${kernel}](${js})${note}`, () => {
      const args: ScanArg[] = head.map(i32)
      for (const [slot, ld] of operands) {
        const at = this.arg(slot)
        if (!at) return undefined
        args.push(at, i32(ld))
      }
      return { target: { kind: 'fused', index: kernel }, args }
    })
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
  line(s: string) {
    if (this.recording && !s.startsWith('//')) this.recording.spoiled = true
    this.lines.push('  '.repeat(this.depth) + s)
  }
  open(s: string) {
    this.line(s)
    this.depth++
  }
  close() {
    this.depth--
    this.line('}')
  }
}

/**
 * Lowers a program to one JavaScript function: matrix products call kernels (K), every fused
 * pointwise kernel is an inline loop, and every scan is a plain `for` loop over time whose body is
 * straight-line code: no per-op dispatch and no allocation while it runs. All buffers are
 * preallocated for the given sizes; time steps are addressed by offsets.
 */
export function generate(
  program: Program,
  inputIds: readonly string[],
  sizes: RunSizes,
  options: GenerateOptions = {},
): GeneratedCode {
  const w = new Writer(options.wasmPointwise ?? false)
  const gen = new LevelGenerator(w, sizes, options.packing ?? false, options.wholeScans)
  const { graph, packs } = program
  const bound = new Map<Ref, Slot>()
  inputIds.forEach((id, k) => bound.set(id, { arr: `i${k}`, off: '0' }))
  const byId = nodeMap(graph)
  const sourceSlot = (name: string) => {
    const id = graph.inputs.find((i) => (byId.get(i)!.attrs as { name: string }).name === name)
    const slot = id === undefined ? undefined : bound.get(id)
    if (!slot) throw new GraphError(`pack source '${name}' is not an input of the graph`)
    return slot
  }
  if (packs.length > 0) w.open('if (fresh) {')
  for (const pack of packs) {
    const width = pack.blocks[0]!.end - pack.blocks[0]!.start
    const rows = pack.blocks.reduce((s, b) => s + b.rows, 0)
    const slot = w.alloc(rows * width)
    w.packBuffers.add(slot.arr)
    bound.set(pack.leaf, slot)
    w.line(`// pack ${pack.leaf}`)
    let at = 0
    for (const b of pack.blocks) {
      const src = sourceSlot(b.source)
      w.packedInputs.add(Number(src.arr.slice(1)))
      const cols = b.end - b.start
      w.block(
        b.rows,
        cols,
        { arr: src.arr, off: plus(src.off, String(b.start)) },
        b.sourceCols,
        { arr: slot.arr, off: String(at) },
        cols,
        `H.sliceCols(${b.rows}, ${b.sourceCols}, ${b.start}, ${b.end}, ${src.arr}, ${src.off}, ${slot.arr}, ${at})`,
      )
      at += b.rows * width
    }
  }
  if (packs.length > 0) w.close()
  const slotOf = gen.level(graph, bound, new Map(), 0)
  const types = verify(graph)
  const outputs = graph.outputs.map((o) => {
    let slot = slotOf(o.ref)
    const size = elements(types.of(o.ref), sizes)
    if (!slot.arr.startsWith('b')) {
      const copy = w.alloc(size)
      w.block(1, size, slot, size, copy, size, `H.copy(${size}, ${slot.arr}, ${slot.off}, ${copy.arr}, 0)`)
      slot = copy
    }
    return { buffer: Number(slot.arr.slice(1)), size }
  })
  const declare = w.bufferSizes.map((_, k) => `const b${k} = bufs[${k}]`).join('\n')
  const params = inputIds.map((_, k) => `i${k}`).join(', ')
  const prologue = w.prologue.map((l) => `  ${l}`)
  // a whole-scan loop is built once its buffers' addresses and weight packs exist
  const scans = w.scans.map(
    (plan, k) => `const S${k} = K.pointwise.scans.compile(SP[${k}], { ${plan.named.join(', ')} }, FR)`,
  )
  const source = [
    declare,
    ...w.init,
    ...scans,
    `return function run(fresh, ${params}) {`,
    ...prologue,
    ...w.lines,
    '}',
  ].join('\n')
  return {
    source,
    bufferSizes: w.bufferSizes,
    outputs,
    packedInputs: [...w.packedInputs].sort((a, b) => a - b),
    wasmKernels: w.wasmKernels,
    wasmScans: w.scans,
  }
}

/** Rows and features of a value viewed as a [rows, features] block. */
export function rowsAndFeatures(t: ValueType, { batch, steps }: RunSizes): [number, number] {
  if (t.layout === 'batch') return [batch, t.shape[0]!]
  if (t.layout === 'seq') return [steps * batch, t.shape[0]!]
  const f = t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1]!
  return [elementCount(t.shape) / f, f]
}

export const elements = (t: ValueType, sizes: RunSizes): number => {
  const [r, f] = rowsAndFeatures(t, sizes)
  return r * f
}

type Emit = (n: Node, ctx: NodeContext) => void

interface NodeContext {
  readonly types: GraphTypes
  readonly slot: (r: Ref) => Slot
  readonly storage: (id: string, k?: number) => Slot
  readonly dims: (r: Ref) => [number, number]
  readonly gen: LevelGenerator
  /** B operands read by several outerSums of this level: packed once, at the first (handle). */
  readonly sharedB: Map<Ref, { handle?: string }>
}

/** Emits the nodes of one graph level (the top graph or a scan body). */
class LevelGenerator {
  private loopDepth = 0
  private packedCount = 0
  /** Products inside the current loop whose B was packed before it: node id -> handle variable. */
  packed = new Map<string, string>()
  constructor(
    readonly w: Writer,
    readonly sizes: RunSizes,
    readonly packing: boolean,
    readonly wholeScans: GenerateOptions['wholeScans'],
  ) {}

  level(graph: Graph, bound: ReadonlyMap<Ref, Slot>, preset: ReadonlyMap<string, Slot>, depth: number) {
    const types = verify(graph)
    const kernels = fusePointwise(graph, types)
    const kernelOf = new Map<string, FusedKernel>()
    for (const k of kernels) for (const m of k.members) kernelOf.set(m.id, k)
    const slots = new Map<Ref, Slot>(bound)
    const byId = nodeMap(graph)
    const slot = (r: Ref): Slot => {
      const s = slots.get(r)
      if (s) return s
      const c = byId.get(parseRef(r).node)
      if (c?.op === 'constant') {
        const s2 = this.w.alloc(1)
        this.w.init.push(`${s2.arr}[0] = ${(c.attrs as Attrs<'constant'>).value}`)
        slots.set(r, s2)
        return s2
      }
      throw new GraphError(`no value for %${r} while generating code`)
    }
    const storage = (id: string, k = 0): Slot => {
      const r = ref(id, k)
      const s = (k === 0 ? preset.get(id) : undefined) ?? this.w.alloc(elements(types.of(r), this.sizes))
      slots.set(r, s)
      return s
    }
    const bUses = new Map<Ref, number>()
    for (const n of graph.nodes)
      if (n.op === 'outerSum') bUses.set(n.inputs[1]!, (bUses.get(n.inputs[1]!) ?? 0) + 1)
    const ctx: NodeContext = {
      types,
      slot,
      storage,
      dims: (r) => rowsAndFeatures(types.of(r), this.sizes),
      gen: this,
      sharedB: new Map(
        this.packing ? [...bUses].filter(([, uses]) => uses > 1).map(([r]) => [r, {}] as const) : [],
      ),
    }
    this.loopDepth = depth
    for (const n of graph.nodes) {
      if (n.op === 'input' || n.op === 'state' || n.op === 'param') {
        if (!slots.has(n.id)) throw new GraphError(`leaf %${n.id} is not bound`, n.id, n.op)
        continue
      }
      if (n.op === 'constant') continue
      const kernel = kernelOf.get(n.id)
      if (kernel) {
        if (kernel.members.at(-1) === n) this.fused(kernel, ctx, byId)
        continue
      }
      this.w.line(`// %${n.id} = ${n.op}`)
      ;(emitters[n.op] as Emit)(n, ctx)
    }
    return slot
  }

  private fused(kernel: FusedKernel, ctx: NodeContext, byId: ReadonlyMap<string, Node>) {
    const w = this.w
    const [rows, features] = rowsAndFeatures(kernel.type, this.sizes)
    if (w.wasm) {
      const plan = planWasmFused(kernel, {
        features,
        slot: ctx.slot,
        typeOf: (r) => ctx.types.of(r),
        constantOf: (id) => {
          const p = byId.get(id)
          return p?.op === 'constant' ? (p.attrs as Attrs<'constant'>).value : undefined
        },
        indexOf: (t) => indexIn(t, kernel.type) as 'i' | 'j' | '0' | 'r',
        width: (r) => rowsAndFeatures(ctx.types.of(r), this.sizes)[1],
        storage: (id) => ctx.storage(id),
      })
      if (plan) {
        this.wasmFused(kernel, plan, rows, features)
        return
      }
    }
    const local = new Map(kernel.members.map((m, k) => [m.id, `v${k}`]))
    const operand = (r: Ref): string => {
      const id = parseRef(r).node
      const v = local.get(id)
      if (v) return v
      const p = byId.get(id)
      if (p?.op === 'constant') return `(${(p.attrs as Attrs<'constant'>).value})`
      const s = ctx.slot(r)
      return `${s.arr}[${plus(s.off, indexIn(ctx.types.of(r), kernel.type))}]`
    }
    w.line(`// fused: ${kernel.members.map((m) => `%${m.id} = ${m.op}`).join(', ')}`)
    const stores = [...kernel.stored].map((id) => ({ id, slot: ctx.storage(id) }))
    w.open(`for (let r = 0, i = 0; r < ${rows}; r++) for (let j = 0; j < ${features}; j++, i++) {`)
    for (const m of kernel.members) {
      let e: string
      if (m.op === 'broadcastLike') e = operand(m.inputs[0]!)
      else if (m.op === 'slice' && !local.has(parseRef(m.inputs[0]!).node)) {
        const { start } = m.attrs as Attrs<'slice'>
        const s = ctx.slot(m.inputs[0]!)
        const width = rowsAndFeatures(ctx.types.of(m.inputs[0]!), this.sizes)[1]
        e = `${s.arr}[${plus(s.off, `r * ${width} + ${start} + j`)}]`
      } else if (m.op === 'slice') e = operand(m.inputs[0]!)
      else e = pointwiseExpression(m, m.inputs.map(operand))
      w.line(`const ${local.get(m.id)} = ${e}`)
    }
    for (const { id, slot } of stores) w.line(`${slot.arr}[${plus(slot.off, 'i')}] = ${local.get(id)}`)
    w.close()
  }

  /** Calls a WebAssembly SIMD kernel: one call over the kernel's rows, no JavaScript per element. */
  private wasmFused(kernel: FusedKernel, plan: WasmFusedPlan, rows: number, features: number) {
    const w = this.w
    const k = w.wasmKernels.length
    w.wasmKernels.push(plan.exprs)
    w.line(`// fused (wasm F[${k}]): ${kernel.members.map((m) => `%${m.id} = ${m.op}`).join(', ')}`)
    // Dense operands (and scalars) only: one long row, so the SIMD loop has at most one ragged tail.
    const operands = [...plan.inputs, ...plan.outputs]
    const dense = operands.every((o) => (o.perRow ? o.ld === 0 : o.ld === features))
    const [r, c] = dense ? [1, rows * features] : [rows, features]
    w.fusedCall(
      k,
      [r, c],
      operands.map((o) => [o, dense && !o.perRow ? c : o.ld] as const),
    )
  }

  /** A handle for a packed B (k x n), prepared once per compiled size. */
  packHandle(k: number, n: number, transposeB: boolean): string {
    const handle = `P${this.packedCount++}`
    this.w.init.push(`const ${handle} = K.packing.preparePacked(${k}, ${n}, ${transposeB})`)
    return handle
  }

  /** Packs, before a time loop, the B of every body product whose B is a loop invariant. */
  private packInvariantWeights(
    body: Graph,
    bound: ReadonlyMap<Ref, Slot>,
    isInvariant: (position: number) => boolean,
    scan: Node,
  ) {
    const types = verify(body)
    const position = new Map(body.inputs.map((id, i) => [id, i]))
    for (const m of body.nodes) {
      if (m.op !== 'matmul' || types.of(m.inputs[0]!).layout === 'tensor') continue
      const p = position.get(parseRef(m.inputs[1]!).node)
      if (p === undefined || !isInvariant(p)) continue
      const { transposeB } = m.attrs as Attrs<'matmul'>
      const shape = types.of(m.inputs[1]!).shape
      const [k, cols] = transposeB ? [shape[1]!, shape[0]!] : [shape[0]!, shape[1]!]
      const handle = this.packHandle(k, cols, transposeB)
      const b = bound.get(m.inputs[1]!)!
      // B straight from a weight (an input or a pack of inputs) is repacked only when it changed.
      const isInput = /^i\d+$/.test(b.arr)
      if (isInput) this.w.packedInputs.add(Number(b.arr.slice(1)))
      const guard = isInput || this.w.packBuffers.has(b.arr) ? 'if (fresh) ' : ''
      this.w.line(
        `${guard}K.packing.packB(${handle}, ${b.arr}, ${b.off}) // B of %${m.id} in scan %${scan.id}, packed once`,
      )
      this.packed.set(m.id, handle)
    }
  }

  scan(n: Node, ctx: NodeContext) {
    const { body, carries, sequences, reverse } = n.attrs as Attrs<'scan'>
    const w = this.w
    const { batch, steps } = this.sizes
    const depth = this.loopDepth + 1
    const t = `t${depth}`
    const carrySlots: Slot[] = []
    for (let k = 0; k < carries; k++) {
      const slot = ctx.storage(n.id, k)
      const init = ctx.slot(n.inputs[k]!)
      const size = elements(ctx.types.of(n.inputs[k]!), this.sizes)
      w.block(1, size, init, size, slot, size, `H.copy(${size}, ${init.arr}, ${init.off}, ${slot.arr}, 0)`)
      carrySlots.push(slot)
    }
    const outTypes = ctx.types.byNode.get(n.id)!
    const ys = outTypes.slice(carries).map((_, k) => ctx.storage(n.id, carries + k))
    const bound = new Map<Ref, Slot>()
    body.inputs.forEach((id, i) => {
      const outer = ctx.slot(n.inputs[i]!)
      if (i < carries) bound.set(id, carrySlots[i]!)
      else if (i < carries + sequences) {
        const f = ctx.types.of(n.inputs[i]!).shape[0]!
        bound.set(id, { arr: outer.arr, off: plus(outer.off, `${t} * ${batch * f}`) })
      } else bound.set(id, outer)
    })
    const preset = new Map<string, Slot>()
    const claimed = new Set<number>()
    const bodyById = nodeMap(body)
    body.outputs.slice(carries).forEach((o, k) => {
      const { node, output } = parseRef(o.ref)
      const op = bodyById.get(node)!.op
      if (output !== 0 || preset.has(node) || ['input', 'state', 'param', 'constant', 'scan'].includes(op))
        return
      const f = outTypes[carries + k]!.shape[0]!
      preset.set(node, { arr: ys[k]!.arr, off: `${t} * ${batch * f}` })
      claimed.add(k)
    })
    const outerPacked = this.packed
    this.packed = new Map(outerPacked)
    if (this.packing) this.packInvariantWeights(body, bound, (i) => i >= carries + sequences, n)
    // A top-level scan of kernel calls only, none of them a product worth splitting between
    // threads, becomes one WebAssembly loop: its JavaScript loop is generated (and recorded), then
    // replaced by one call.
    const start = w.lines.length
    const whole = this.wholeScans !== undefined && depth === 1
    w.line(`// scan %${n.id}: ${steps} steps${reverse ? ', reverse' : ''}`)
    w.open(`for (let s${depth} = 0; s${depth} < ${steps}; s${depth}++) {`)
    w.line(`const ${t} = ${reverse ? `${steps - 1} - s${depth}` : `s${depth}`}`)
    if (whole) w.recording = new ScanRecording()
    const bodySlot = this.level(body, bound, preset, depth)
    this.loopDepth = depth - 1
    this.packed = outerPacked
    body.outputs.slice(carries).forEach((o, k) => {
      if (claimed.has(k)) return
      const s = bodySlot(o.ref)
      const f = outTypes[carries + k]!.shape[0]!
      const count = batch * f
      const to = { arr: ys[k]!.arr, off: `${t} * ${count}` }
      w.block(1, count, s, count, to, count, `H.copy(${count}, ${s.arr}, ${s.off}, ${to.arr}, ${to.off})`)
    })
    // New carries: sources that are themselves carry buffers go through temporaries first.
    const moves = body.outputs
      .slice(0, carries)
      .map((o, k) => ({ from: bodySlot(o.ref), to: carrySlots[k]! }))
    const size = (k: number) => elements(ctx.types.of(n.inputs[k]!), this.sizes)
    const staged = moves.map((m, k) => {
      if (m.from === m.to || !carrySlots.includes(m.from)) return undefined
      const tmp = w.alloc(size(k))
      const count = size(k)
      w.block(
        1,
        count,
        m.from,
        count,
        tmp,
        count,
        `H.copy(${count}, ${m.from.arr}, ${m.from.off}, ${tmp.arr}, 0)`,
      )
      return tmp
    })
    moves.forEach((m, k) => {
      if (m.from === m.to) return
      const from = staged[k] ?? m.from
      const count = size(k)
      w.block(
        1,
        count,
        from,
        count,
        m.to,
        count,
        `H.copy(${count}, ${from.arr}, ${from.off}, ${m.to.arr}, 0)`,
      )
    })
    const recording = whole ? w.recording : undefined
    if (whole) w.recording = undefined
    w.close()
    if (!recording || recording.spoiled || recording.maxProductFlops >= this.wholeScans!.maxProductFlops)
      return
    w.lines.splice(start)
    // the addresses of inputs (`ai…`) change from run to run: parameters of the loop; buffers'
    // addresses and weight packs are fixed once the instance is built
    const inputs = new Set<string>()
    const named = new Set<string>()
    for (const c of recording.calls)
      for (const a of c.args) {
        if (a.kind === 'address') (a.base.startsWith('ai') ? inputs : named).add(a.base)
        else if (a.kind === 'packed') named.add(a.handle)
      }
    const plan = { steps, reverse, calls: recording.calls, inputs: [...inputs], named: [...named] }
    const k = w.scans.push(plan) - 1
    w.line(`// scan %${n.id}: ${steps} steps${reverse ? ', reverse' : ''}, one WebAssembly call`)
    w.line(`S${k}(${plan.inputs.join(', ')})`)
  }
}

/** Index of the operand element that feeds element (r, j, flat i) of a kernel over `space`. */
function indexIn(operand: ValueType, space: ValueType): string {
  const f = space.layout === 'tensor' ? (space.shape.at(-1) ?? 1) : space.shape[0]!
  if (isRows(operand)) return operand.shape[0] === f ? 'i' : 'r'
  if (elementCount(operand.shape) === 1) return '0'
  return isRows(space) ? 'j' : 'i'
}

const call = (ctx: NodeContext, fn: string, args: readonly (string | number | boolean | Slot)[]) =>
  ctx.gen.w.line(
    `${fn}(${args.map((a) => (typeof a === 'object' ? `${a.arr}, ${a.off}` : String(a))).join(', ')})`,
  )

/**
 * out[j] = Σ_r x[r, j] as SIMD: out = 0, then the add kernel reads and writes `out` as a row
 * repeated over all rows (stride 0), and rows run in order, so each adds to the last.
 */
function columnSums(ctx: NodeContext, rows: number, f: number, x: Slot, out: Slot) {
  const w = ctx.gen.w
  call(ctx, 'H.fill', [f, 0, out])
  const add = w.kernel('rowSum', [apply('add', input(0), input(1))])
  const at = w.address(out)
  w.line(`F[${add}](${rows}, ${f}, ${at}, 0, ${w.address(x)}, ${f}, ${at}, 0) // sum of rows`)
}

/**
 * C[m, n] = A[m, k]·B with B packed (handle `packed`). Recorded as the kernel module's
 * gemmPacked(M, N, K, a, rsA, csA, bp, c, ldc, alpha, accumulate, p0, p1, tileStep) over all
 * panels, on the calling thread.
 */
function packedProduct(ctx: NodeContext, m: number, n: number, k: number, a: Slot, packed: string, c: Slot) {
  const w = ctx.gen.w
  const js = `K.packing.gemmPacked(${m}, ${a.arr}, ${a.off}, ${packed}, ${c.arr}, ${c.off}, false)`
  const call = (): ScanCall | undefined => {
    const [from, to] = [w.arg(a), w.arg(c)]
    if (!from || !to) return undefined
    const [M, N, K, one] = [m, n, k, 1].map(i32) as [ScanArg, ScanArg, ScanArg, ScanArg]
    const args: ScanArg[] = [M, N, K, from, K, one, { kind: 'packed', handle: packed }, to, N]
    args.push({ kind: 'f32', value: 1 }, i32(0), i32(0), { kind: 'panels', columns: n }, K)
    return { target: { kind: 'kernel', name: 'gemmPacked' }, args }
  }
  w.wasmCall(js, call, 2 * m * n * k)
}

const lowered = (what: string) => (n: Node) => {
  throw new GraphError(`node %${n.id} (${n.op}) should have been ${what} before code generation`, n.id, n.op)
}

const reduceRows =
  (kind: 'sum' | 'mean' | 'max'): Emit =>
  (n, ctx) => {
    const [rows, f] = ctx.dims(n.inputs[0]!)
    const [x, out] = [ctx.slot(n.inputs[0]!), ctx.storage(n.id)]
    const w = ctx.gen.w
    if (!w.wasm) return call(ctx, 'H.reduceRows', [`'${kind}'`, rows, f, x, out])
    rowReduceCall(w, kind, rows, f, x, out)
  }

/** out[r] = the sum, mean or max of row r of x [rows, f], as the SIMD row reduction. */
function rowReduceCall(w: Writer, kind: 'sum' | 'mean' | 'max', rows: number, f: number, x: Slot, out: Slot) {
  w.wasmCall(
    `K.pointwise.rowReduce.${kind}(${rows}, ${f}, ${w.address(x)}, ${f}, ${w.address(out)}, 1)`,
    () => {
      const [from, to] = [w.arg(x), w.arg(out)]
      if (!from || !to) return undefined
      const name = kind === 'sum' ? 'rowSum' : kind === 'mean' ? 'rowMean' : 'rowMax'
      return { target: { kind: 'kernel', name }, args: [i32(rows), i32(f), from, i32(f), to, i32(1)] }
    },
  )
}

/** How each op that is not fused becomes code. Elementwise ops always go through fused kernels. */
const emitters: { readonly [K in OpName]: Emit } = {
  input: lowered('bound'),
  state: lowered('bound'),
  param: lowered('bound'),
  constant: lowered('inlined'),
  neg: lowered('fused'),
  oneMinus: lowered('fused'),
  sigmoid: lowered('fused'),
  tanh: lowered('fused'),
  relu: lowered('fused'),
  exp: lowered('fused'),
  log: lowered('fused'),
  sqrt: lowered('fused'),
  rsqrt: lowered('fused'),
  add: lowered('fused'),
  sub: lowered('fused'),
  mul: lowered('fused'),
  div: lowered('fused'),
  max: lowered('fused'),
  min: lowered('fused'),
  greater: lowered('fused'),
  clamp: lowered('fused'),
  where: lowered('fused'),
  broadcastLike: lowered('fused'),
  slice: lowered('fused'),
  layer: lowered('split into matmul and pointwise ops by the lowerLayers pass'),
  matmul: (n, ctx) => {
    const [a, b] = n.inputs as [Ref, Ref]
    const { transposeB } = n.attrs as Attrs<'matmul'>
    const [m, k] = ctx.dims(a)
    const bShape = ctx.types.of(b).shape
    const cols = transposeB ? bShape[0]! : bShape[1]!
    const packed = ctx.gen.packed.get(n.id)
    if (packed) return packedProduct(ctx, m, cols, k, ctx.slot(a), packed, ctx.storage(n.id))
    call(ctx, 'K.gemm', [m, cols, k, ctx.slot(a), ctx.slot(b), transposeB, ctx.storage(n.id), false])
  },
  outerSum: (n, ctx) => {
    const [a, b] = n.inputs as [Ref, Ref]
    const [rows, m] = ctx.dims(a)
    const cols = ctx.dims(b)[1]
    const shared = ctx.sharedB.get(b)
    if (!shared)
      return call(ctx, 'K.gemmTN', [rows, m, cols, ctx.slot(a), ctx.slot(b), ctx.storage(n.id), false])
    // Several weight gradients over the same B (the four gates over [h, x]): B is packed once.
    if (!shared.handle) {
      shared.handle = ctx.gen.packHandle(rows, cols, false)
      call(ctx, 'K.packing.packB', [shared.handle, ctx.slot(b)])
    }
    call(ctx, 'K.packing.gemmPacked', [m, ctx.slot(a), shared.handle, ctx.storage(n.id), true])
  },
  sumRows: (n, ctx) => {
    const [rows, f] = ctx.dims(n.inputs[0]!)
    const [x, out] = [ctx.slot(n.inputs[0]!), ctx.storage(n.id)]
    if (!ctx.gen.w.wasm) return call(ctx, 'H.sumRows', [rows, f, x, out])
    columnSums(ctx, rows, f, x, out)
  },
  rowCount: (n, ctx) => {
    const out = ctx.storage(n.id)
    ctx.gen.w.line(`${out.arr}[${out.off}] = ${ctx.dims(n.inputs[0]!)[0]}`)
  },
  sumAll: (n, ctx) => {
    const [rows, f] = ctx.dims(n.inputs[0]!)
    call(ctx, 'H.sumAll', [rows * f, ctx.slot(n.inputs[0]!), ctx.storage(n.id)])
  },
  sumLike: (n, ctx) => {
    const [x, like] = n.inputs as [Ref, Ref]
    const xType = ctx.types.of(x)
    const [rows, f] = ctx.dims(x)
    const out = ctx.storage(n.id)
    const src = ctx.slot(x)
    const w = ctx.gen.w
    const index = indexIn(ctx.types.of(like), xType)
    // a bias gradient (a value per feature) and a value per row have SIMD kernels
    if (w.wasm && index === 'j') return columnSums(ctx, rows, f, src, out)
    if (w.wasm && index === 'r') return rowReduceCall(w, 'sum', rows, f, src, out)
    w.line(`H.fill(${elements(ctx.types.of(like), ctx.gen.sizes)}, 0, ${out.arr}, ${out.off})`)
    w.line(
      `for (let r = 0, i = 0; r < ${rows}; r++) for (let j = 0; j < ${f}; j++, i++) ` +
        `${out.arr}[${plus(out.off, index)}] += ${src.arr}[${plus(src.off, 'i')}]`,
    )
  },
  concat: (n, ctx) => {
    const out = ctx.storage(n.id)
    const total = ctx.dims(n.id)[1]
    let at = 0
    for (const r of n.inputs) {
      const [rows, f] = ctx.dims(r)
      const src = ctx.slot(r)
      ctx.gen.w.block(
        rows,
        f,
        src,
        f,
        { arr: out.arr, off: plus(out.off, String(at)) },
        total,
        `H.placeCols(${rows}, ${f}, ${at}, ${total}, ${src.arr}, ${src.off}, ${out.arr}, ${out.off})`,
      )
      at += f
    }
  },
  pad: (n, ctx) => {
    const { before } = n.attrs as Attrs<'pad'>
    const out = ctx.storage(n.id)
    const [rows, f] = ctx.dims(n.inputs[0]!)
    const total = ctx.dims(n.id)[1]
    call(ctx, 'H.fill', [rows * total, 0, out])
    call(ctx, 'H.placeCols', [rows, f, before, total, ctx.slot(n.inputs[0]!), out])
  },
  reduceSum: reduceRows('sum'),
  reduceMean: reduceRows('mean'),
  reduceMax: reduceRows('max'),
  softmax: (n, ctx) =>
    call(ctx, 'H.softmax', [...ctx.dims(n.inputs[0]!), ctx.slot(n.inputs[0]!), ctx.storage(n.id)]),
  crossEntropy: (n, ctx) =>
    call(ctx, 'H.crossEntropy', [
      ...ctx.dims(n.inputs[0]!),
      ctx.slot(n.inputs[0]!),
      ctx.slot(n.inputs[1]!),
      ctx.storage(n.id),
    ]),
  crossEntropyGrad: (n, ctx) =>
    call(ctx, 'H.crossEntropyGrad', [
      ...ctx.dims(n.inputs[0]!),
      ctx.slot(n.inputs[0]!),
      ctx.slot(n.inputs[1]!),
      ctx.slot(n.inputs[2]!),
      ctx.storage(n.id),
    ]),
  scan: (n, ctx) => ctx.gen.scan(n, ctx),
}
