import { GraphError, leafName, type Node, nodeMap, parseRef, type Ref, ref } from '@cellgraph/graph'
import type { Expr } from '@cellgraph/wasm'
import { renderExpression } from '../plan/expression.js'
import type { FusedStep, KernelPlan, LevelPlan, LoopStep } from '../plan/kernelPlan.js'
import { featuresOf } from '../plan/planner.js'
import { type CallContext, emitCall } from './emitters.js'
import { jsExpressions, jsIndex } from './expressions.js'
import { elements, type RunSizes, rowsAndFeatures } from './sizes.js'
import { wasmExpressions } from './wasmFused.js'
import type { ScanPlan } from './wasmScan.js'
import { offText, plus, type Slot, shifted, stepping, Writer } from './writer.js'

export type { RunSizes } from './sizes.js'

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

const copyLine = (count: number, from: Slot, to: Slot) =>
  `H.copy(${count}, ${from.arr}, ${offText(from)}, ${to.arr}, ${offText(to)})`

/**
 * Renders a kernel plan as one JavaScript function: calls drive kernels (K) and helpers (H), every
 * fused kernel is an inline element loop or one WebAssembly SIMD call, and every loop is a plain
 * `for` loop over time whose body is straight-line code: no per-op dispatch and no allocation
 * while it runs. All buffers are preallocated for the given sizes; time steps move addresses by
 * their strides.
 */
export function generate(
  plan: KernelPlan,
  inputIds: readonly string[],
  sizes: RunSizes,
  options: GenerateOptions = {},
): GeneratedCode {
  const w = new Writer(options.wasmPointwise ?? false)
  const gen = new LevelGenerator(w, sizes, options.packing ?? false, options.wholeScans)
  const { graph } = plan.root
  const bound = new Map<Ref, Slot>()
  inputIds.forEach((id, k) => bound.set(id, { arr: `i${k}`, off: 0 }))
  gen.packs(plan, bound)
  const slotOf = gen.level(plan.root, bound, new Map(), 0)
  const outputs = graph.outputs.map((o) => {
    let slot = slotOf(o.ref)
    const size = elements(plan.root.types.of(o.ref), sizes)
    if (!slot.arr.startsWith('b')) {
      const copy = w.alloc(size)
      w.block(1, size, slot, size, copy, size, copyLine(size, slot, copy))
      slot = copy
    }
    return { buffer: Number(slot.arr.slice(1)), size }
  })
  const declare = w.bufferSizes.map((_, k) => `const b${k} = bufs[${k}]`).join('\n')
  const params = inputIds.map((_, k) => `i${k}`).join(', ')
  // a whole-scan loop is built once its buffers' addresses and weight packs exist
  const scans = w.scans.map(
    (s, k) => `const S${k} = K.pointwise.scans.compile(SP[${k}], { ${s.named.join(', ')} }, FR)`,
  )
  const run = [
    `return function run(fresh, ${params}) {`,
    ...w.prologue.map((l) => `  ${l}`),
    ...w.text(),
    '}',
  ]
  return {
    source: [declare, ...w.init, ...scans, ...run].join('\n'),
    bufferSizes: w.bufferSizes,
    outputs,
    packedInputs: [...w.packedInputs].sort((a, b) => a - b),
    wasmKernels: w.wasmKernels,
    wasmScans: w.scans,
  }
}

/** Renders the steps of one level (the top graph or a loop body). */
class LevelGenerator {
  private packedCount = 0
  /** Products inside the current loop whose B was packed before it: node id -> handle variable. */
  private packed = new Map<string, string>()
  constructor(
    readonly w: Writer,
    readonly sizes: RunSizes,
    readonly packing: boolean,
    readonly wholeScans: GenerateOptions['wholeScans'],
  ) {}

  /** Assembles each weight pack from column blocks of its source inputs, when they changed. */
  packs({ packs, root }: KernelPlan, bound: Map<Ref, Slot>) {
    const w = this.w
    const byId = nodeMap(root.graph)
    const sourceSlot = (name: string) => {
      const id = root.graph.inputs.find((i) => leafName(byId.get(i)!) === name)
      const slot = id === undefined ? undefined : bound.get(id)
      if (!slot) throw new GraphError(`pack source '${name}' is not an input of the graph`)
      return slot
    }
    if (packs.length > 0) w.open('if (fresh) {')
    for (const pack of packs) {
      const width = pack.blocks[0]!.end - pack.blocks[0]!.start
      const slot = w.alloc(pack.blocks.reduce((s, b) => s + b.rows, 0) * width)
      w.packBuffers.add(slot.arr)
      bound.set(pack.leaf, slot)
      w.line(`// pack ${pack.leaf}`)
      let at = 0
      for (const b of pack.blocks) {
        const src = sourceSlot(b.source)
        w.packedInputs.add(Number(src.arr.slice(1)))
        const cols = b.end - b.start
        const js = `H.sliceCols(${b.rows}, ${b.sourceCols}, ${b.start}, ${b.end}, ${src.arr}, ${offText(src)}, ${slot.arr}, ${at})`
        w.block(b.rows, cols, shifted(src, b.start), b.sourceCols, shifted(slot, at), cols, js)
        at += b.rows * width
      }
    }
    if (packs.length > 0) w.close()
  }

  level(plan: LevelPlan, bound: ReadonlyMap<Ref, Slot>, preset: ReadonlyMap<string, Slot>, depth: number) {
    const { graph, types } = plan
    const slots = new Map<Ref, Slot>(bound)
    const byId = nodeMap(graph)
    const slot = (r: Ref): Slot => {
      const s = slots.get(r)
      if (s) return s
      const c = byId.get(parseRef(r).node)
      if (c?.op === 'constant') {
        const s2 = this.w.alloc(1)
        this.w.init.push(`${s2.arr}[0] = ${c.attrs.value}`)
        slots.set(r, s2)
        return s2
      }
      throw new GraphError(`no value for %${r} while generating code`)
    }
    for (const n of graph.nodes)
      if ((n.op === 'input' || n.op === 'state' || n.op === 'param') && !slots.has(n.id))
        throw new GraphError(`leaf %${n.id} is not bound`, n.id, n.op)
    const storage = (id: string, k = 0): Slot => {
      const r = ref(id, k)
      const s = (k === 0 ? preset.get(id) : undefined) ?? this.w.alloc(elements(types.of(r), this.sizes))
      slots.set(r, s)
      return s
    }
    const bUses = new Map<Ref, number>()
    for (const n of graph.nodes)
      if (n.op === 'outerSum') bUses.set(n.inputs[1]!, (bUses.get(n.inputs[1]!) ?? 0) + 1)
    const ctx: CallContext = {
      w: this.w,
      sizes: this.sizes,
      types,
      slot,
      storage,
      dims: (r) => rowsAndFeatures(types.of(r), this.sizes),
      packed: this.packed,
      sharedB: new Map(
        this.packing ? [...bUses].filter(([, uses]) => uses > 1).map(([r]) => [r, {}] as const) : [],
      ),
      packHandle: (k, n, transposeB) => this.packHandle(k, n, transposeB),
    }
    for (const step of plan.steps) {
      if (step.kind === 'fused') this.fused(step, ctx)
      else if (step.kind === 'loop') this.loop(step, ctx, depth + 1)
      else {
        this.w.line(`// %${step.node.id} = ${step.node.op}`)
        emitCall(step.node, ctx)
      }
    }
    return slot
  }

  private fused(step: FusedStep, ctx: CallContext) {
    const w = this.w
    const [rows, features] = rowsAndFeatures(step.type, this.sizes)
    const members = step.members.map((m) => `%${m.id} = ${m.op}`).join(', ')
    const exprs = w.wasm ? wasmExpressions(step) : undefined
    if (exprs) {
      const operands = step.operands.map((o) => shifted(ctx.slot(o.ref), o.access.offset))
      const k = w.wasmKernels.push(exprs) - 1
      w.line(`// fused (wasm F[${k}]): ${members}`)
      const ins = step.operands.map((o, i) => ({
        slot: operands[i]!,
        ld: o.access.row,
        perRow: o.access.col === 0,
      }))
      const outs = step.stores.map((s) => ({ slot: ctx.storage(s.id), ld: features, perRow: false }))
      // Dense operands (and scalars) only: one long row, so the SIMD loop has at most one ragged tail.
      const all = [...ins, ...outs]
      const dense = all.every((o) => (o.perRow ? o.ld === 0 : o.ld === features))
      const [r, c] = dense ? [1, rows * features] : [rows, features]
      w.fusedCall(
        k,
        [r, c],
        all.map((o) => [o.slot, dense && !o.perRow ? c : o.ld] as const),
      )
      return
    }
    w.line(`// fused: ${members}`)
    const stores = step.stores.map((s) => ({ ...s, slot: ctx.storage(s.id) }))
    w.open(`for (let r = 0, i = 0; r < ${rows}; r++) for (let j = 0; j < ${features}; j++, i++) {`)
    const values = renderExpression<string>(step, {
      operand: (k, access) => {
        const s = ctx.slot(step.operands[k]!.ref)
        return `${s.arr}[${plus(offText(s), jsIndex(access, features))}]`
      },
      constant: (v) => `(${v})`,
      apply: (op, args) => `(${jsExpressions[op](args)})`,
      bind: (k, v) => {
        w.line(`const v${k} = ${v}`)
        return `v${k}`
      },
    })!
    values.forEach(({ value }, k) =>
      w.line(`${stores[k]!.slot.arr}[${plus(offText(stores[k]!.slot), 'i')}] = ${value}`),
    )
    w.close()
  }

  /** A handle for a packed B (k x n), prepared once per compiled size. */
  private packHandle(k: number, n: number, transposeB: boolean): string {
    const handle = `P${this.packedCount++}`
    this.w.init.push(`const ${handle} = K.packing.preparePacked(${k}, ${n}, ${transposeB})`)
    return handle
  }

  /** Packs, before a time loop, the B of every body product whose B is a loop invariant. */
  private packInvariantWeights(loop: LoopStep, bound: ReadonlyMap<Ref, Slot>) {
    const { body, node } = loop
    const { carries, sequences } = node.attrs
    const position = new Map(body.graph.inputs.map((id, i) => [id, i]))
    for (const m of body.graph.nodes) {
      if (m.op !== 'matmul' || body.types.of(m.inputs[0]!).layout === 'tensor') continue
      const p = position.get(parseRef(m.inputs[1]!).node)
      if (p === undefined || p < carries + sequences) continue
      const { transposeB } = m.attrs
      const shape = body.types.of(m.inputs[1]!).shape
      const [k, cols] = transposeB ? [shape[1]!, shape[0]!] : [shape[0]!, shape[1]!]
      const handle = this.packHandle(k, cols, transposeB)
      const b = bound.get(m.inputs[1]!)!
      // B straight from a weight (an input or a pack of inputs) is repacked only when it changed.
      const isInput = /^i\d+$/.test(b.arr)
      if (isInput) this.w.packedInputs.add(Number(b.arr.slice(1)))
      const guard = isInput || this.w.packBuffers.has(b.arr) ? 'if (fresh) ' : ''
      this.w.line(
        `${guard}K.packing.packB(${handle}, ${b.arr}, ${offText(b)}) // B of %${m.id} in scan %${node.id}, packed once`,
      )
      this.packed.set(m.id, handle)
    }
  }

  /**
   * A loop over time. Carries live in their own buffers (copied in before, moved after each
   * step); per-step reads and writes are slots that move by one step's rows per step. A
   * top-level loop whose every line is a WebAssembly kernel call, none of them a product worth
   * splitting between threads, runs as one WebAssembly function built from those calls.
   */
  private loop(loop: LoopStep, ctx: CallContext, depth: number) {
    const n: Node<'scan'> = loop.node
    const { carries, sequences, reverse } = n.attrs
    const body = loop.body.graph
    const w = this.w
    const { batch, steps } = this.sizes
    const carrySlots: Slot[] = []
    for (let k = 0; k < carries; k++) {
      const slot = ctx.storage(n.id, k)
      const init = ctx.slot(n.inputs[k]!)
      const size = elements(ctx.types.of(n.inputs[k]!), this.sizes)
      w.block(1, size, init, size, slot, size, copyLine(size, init, slot))
      carrySlots.push(slot)
    }
    const outTypes = ctx.types.byNode.get(n.id)!
    const ys = outTypes.slice(carries).map((_, k) => ctx.storage(n.id, carries + k))
    const perStep = (k: number) => batch * outTypes[carries + k]!.shape[0]!
    const bound = new Map<Ref, Slot>()
    body.inputs.forEach((id, i) => {
      const outer = ctx.slot(n.inputs[i]!)
      if (i < carries) bound.set(id, carrySlots[i]!)
      else if (i < carries + sequences)
        bound.set(id, stepping(outer, depth, batch * featuresOf(ctx.types.of(n.inputs[i]!))))
      else bound.set(id, outer)
    })
    // per-step outputs computed in the body are written straight into their step's rows
    const preset = new Map<string, Slot>()
    const claimed = new Set<number>()
    const bodyById = nodeMap(body)
    body.outputs.slice(carries).forEach((o, k) => {
      const { node, output } = parseRef(o.ref)
      const op = bodyById.get(node)!.op
      if (output !== 0 || preset.has(node) || ['input', 'state', 'param', 'constant', 'scan'].includes(op))
        return
      preset.set(node, stepping(ys[k]!, depth, perStep(k)))
      claimed.add(k)
    })
    const outerPacked = this.packed
    this.packed = new Map(outerPacked)
    if (this.packing) this.packInvariantWeights(loop, bound)
    const title = `// scan %${n.id}: ${steps} steps${reverse ? ', reverse' : ''}`
    w.depth++
    const lines = w.capture(() => {
      const bodySlot = this.level(loop.body, bound, preset, depth)
      body.outputs.slice(carries).forEach((o, k) => {
        if (claimed.has(k)) return
        const [from, to] = [bodySlot(o.ref), stepping(ys[k]!, depth, perStep(k))]
        w.block(1, perStep(k), from, perStep(k), to, perStep(k), copyLine(perStep(k), from, to))
      })
      // New carries: sources that are themselves carry buffers go through temporaries first.
      const moves = body.outputs
        .slice(0, carries)
        .map((o, k) => ({ from: bodySlot(o.ref), to: carrySlots[k]! }))
      const size = (k: number) => elements(ctx.types.of(n.inputs[k]!), this.sizes)
      const staged = moves.map((m, k) => {
        if (m.from === m.to || !carrySlots.includes(m.from)) return undefined
        const tmp = w.alloc(size(k))
        w.block(1, size(k), m.from, size(k), tmp, size(k), copyLine(size(k), m.from, tmp))
        return tmp
      })
      moves.forEach((m, k) => {
        const from = staged[k] ?? m.from
        if (m.from !== m.to) w.block(1, size(k), from, size(k), m.to, size(k), copyLine(size(k), from, m.to))
      })
    })
    w.depth--
    this.packed = outerPacked
    const whole = this.wholeScans && depth === 1 ? Writer.calls(lines) : undefined
    if (whole && whole.maxFlops < this.wholeScans!.maxProductFlops) {
      // the addresses of inputs (`ai…`) change from run to run: parameters of the loop; buffers'
      // addresses and weight packs are fixed once the instance is built
      const [inputs, named] = [new Set<string>(), new Set<string>()]
      for (const c of whole.calls)
        for (const a of c.args)
          if (a.kind === 'address') (a.base.startsWith('ai') ? inputs : named).add(a.base)
          else if (a.kind === 'packed') named.add(a.handle)
      const k =
        w.scans.push({ steps, reverse, calls: whole.calls, inputs: [...inputs], named: [...named] }) - 1
      w.line(`${title}, one WebAssembly call`)
      w.line(`S${k}(${[...inputs].join(', ')})`)
      return
    }
    w.line(title)
    w.open(`for (let s${depth} = 0; s${depth} < ${steps}; s${depth}++) {`)
    w.line(`const t${depth} = ${reverse ? `${steps - 1} - s${depth}` : `s${depth}`}`)
    w.lines.push(...lines)
    w.close()
  }
}
