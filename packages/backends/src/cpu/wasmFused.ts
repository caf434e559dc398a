import { type Node, parseRef, type Ref, type ValueType } from '@cellgraph/graph'
import { apply, constant, type Expr, input, rowInput } from '@cellgraph/wasm'
import type { Attrs } from '../passes/edit.js'
import type { FusedKernel } from '../plan/fusion.js'
import type { PointwiseOp } from './expressions.js'

/** An operand of a WebAssembly fused kernel in generated code: array, element offset, row stride. */
export interface WasmOperand {
  readonly arr: string
  readonly off: string
  /** Row stride in floats; 0 repeats one row (a per-feature vector over all rows). */
  readonly ld: number
  /** One value per row (at offset + r·ld) repeated along the row; with ld 0, one scalar. */
  readonly perRow?: boolean
}

/** A fused kernel as WebAssembly SIMD expressions over operands in the kernels' memory. */
export interface WasmFusedPlan {
  readonly exprs: readonly Expr[]
  readonly inputs: readonly WasmOperand[]
  readonly outputs: readonly WasmOperand[]
}

/** What the translation needs from code generation. */
export interface WasmFusedContext {
  readonly features: number
  /** The slot of a value outside the kernel. */
  readonly slot: (r: Ref) => { readonly arr: string; readonly off: string }
  readonly typeOf: (r: Ref) => ValueType
  /** The constant value of a node, if it is a constant. */
  readonly constantOf: (id: string) => number | undefined
  /** How element (r, j) of the kernel reads an operand: 'i' same place, 'j' per feature, '0' scalar, 'r' per row. */
  readonly indexOf: (operand: ValueType) => 'i' | 'j' | '0' | 'r'
  /** The width of a value's rows (a slice reads its input with this row stride). */
  readonly width: (r: Ref) => number
  /** Storage for a stored member. */
  readonly storage: (id: string) => { readonly arr: string; readonly off: string }
}

/** The IR's pointwise ops as WebAssembly SIMD expressions; undefined where there is none (log). */
const wasmOps: {
  readonly [K in PointwiseOp]: ((args: Expr[], attrs: Attrs<K>) => Expr) | undefined
} = {
  neg: ([a]) => apply('neg', a!),
  oneMinus: ([a]) => apply('oneMinus', a!),
  sigmoid: ([a]) => apply('sigmoid', a!),
  tanh: ([a]) => apply('tanh', a!),
  relu: ([a]) => apply('relu', a!),
  exp: ([a]) => apply('exp', a!),
  log: undefined,
  sqrt: ([a]) => apply('sqrt', a!),
  rsqrt: ([a]) => apply('rsqrt', a!),
  add: ([a, b]) => apply('add', a!, b!),
  sub: ([a, b]) => apply('sub', a!, b!),
  mul: ([a, b]) => apply('mul', a!, b!),
  div: ([a, b]) => apply('div', a!, b!),
  max: ([a, b]) => apply('max', a!, b!),
  min: ([a, b]) => apply('min', a!, b!),
  greater: ([a, b]) => apply('greater', a!, b!),
  clamp: ([a], { min, max }) => apply('min', apply('max', a!, constant(min)), constant(max)),
  where: ([c, a, b]) => apply('where', c!, a!, b!),
}

/**
 * Translates a fused kernel into WebAssembly SIMD expressions, or undefined when one of its
 * members has no SIMD form (log): those kernels stay JavaScript loops.
 */
export function planWasmFused(kernel: FusedKernel, ctx: WasmFusedContext): WasmFusedPlan | undefined {
  const local = new Map<string, Expr>()
  const inputs: WasmOperand[] = []
  const inputIndex = new Map<string, number>()
  const read = (operand: WasmOperand): Expr => {
    const key = `${operand.arr}|${operand.off}|${operand.ld}|${operand.perRow === true}`
    let k = inputIndex.get(key)
    if (k === undefined) {
      k = inputs.length
      inputs.push(operand)
      inputIndex.set(key, k)
    }
    return operand.perRow ? rowInput(k) : input(k)
  }
  const operand = (r: Ref): Expr | undefined => {
    const id = parseRef(r).node
    const v = local.get(id)
    if (v) return v
    const value = ctx.constantOf(id)
    if (value !== undefined) return constant(value)
    const s = ctx.slot(r)
    const how = ctx.indexOf(ctx.typeOf(r))
    if (how === 'i') return read({ ...s, ld: ctx.features })
    if (how === 'j') return read({ ...s, ld: 0 })
    // a value per row (a row mean, a norm), or one scalar: loaded once per row
    return read({ ...s, ld: how === 'r' ? 1 : 0, perRow: true })
  }
  for (const m of kernel.members) {
    let e: Expr | undefined
    if (m.op === 'broadcastLike') e = operand(m.inputs[0]!)
    else if (m.op === 'slice' && !local.has(parseRef(m.inputs[0]!).node)) {
      const { start } = m.attrs as Attrs<'slice'>
      const s = ctx.slot(m.inputs[0]!)
      e = read({
        arr: s.arr,
        off: s.off === '0' ? `${start}` : `${s.off} + ${start}`,
        ld: ctx.width(m.inputs[0]!),
      })
    } else if (m.op === 'slice') e = operand(m.inputs[0]!)
    else e = pointwise(m, operand)
    if (!e) return undefined
    local.set(m.id, e)
  }
  const outputs = [...kernel.stored].map((id) => ({ ...ctx.storage(id), ld: ctx.features }))
  const exprs = [...kernel.stored].map((id) => local.get(id)!)
  return { exprs, inputs, outputs }
}

function pointwise(m: Node, operand: (r: Ref) => Expr | undefined): Expr | undefined {
  const rule = wasmOps[m.op as PointwiseOp] as ((args: Expr[], attrs: unknown) => Expr) | undefined
  if (!rule) return undefined
  const args: Expr[] = []
  for (const r of m.inputs) {
    const a = operand(r)
    if (!a) return undefined
    args.push(a)
  }
  return rule(args, m.attrs)
}
