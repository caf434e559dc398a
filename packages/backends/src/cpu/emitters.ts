import { GraphError, type GraphTypes, type Node, type OpName, type Ref } from '@cellgraph/graph'
import type { CallOp } from '../plan/kernelPlan.js'
import { accessOf } from '../plan/planner.js'
import { jsIndex } from './expressions.js'
import type { RunSizes } from './sizes.js'
import { elements } from './sizes.js'
import type { ScanArg } from './wasmScan.js'
import { i32, offText, plus, type Slot, shifted, type Writer } from './writer.js'

/** What a call's code needs from the level it is generated in. */
export interface CallContext {
  readonly w: Writer
  readonly sizes: RunSizes
  readonly types: GraphTypes
  readonly slot: (r: Ref) => Slot
  readonly storage: (id: string, k?: number) => Slot
  readonly dims: (r: Ref) => [number, number]
  /** Products whose B was packed before the enclosing loop: node id -> handle variable. */
  readonly packed: ReadonlyMap<string, string>
  /** B operands read by several outerSums of this level: packed once, at the first (handle). */
  readonly sharedB: Map<Ref, { handle?: string }>
  readonly packHandle: (k: number, n: number, transposeB: boolean) => string
}

type Emit<K extends OpName> = (n: Node<K>, ctx: CallContext) => void

const call = (ctx: CallContext, fn: string, args: readonly (string | number | boolean | Slot)[]) =>
  ctx.w.line(
    `${fn}(${args.map((a) => (typeof a === 'object' ? `${a.arr}, ${offText(a)}` : String(a))).join(', ')})`,
  )

/**
 * C[m, n] = A[m, k]·B with B packed (handle `packed`). As a whole-scan call: the kernel module's
 * gemmPacked(M, N, K, a, rsA, csA, bp, c, ldc, alpha, accumulate, p0, p1, tileStep) over all
 * panels, on the calling thread.
 */
function packedProduct(w: Writer, m: number, n: number, k: number, a: Slot, packed: string, c: Slot) {
  const js = `K.packing.gemmPacked(${m}, ${a.arr}, ${offText(a)}, ${packed}, ${c.arr}, ${offText(c)}, false)`
  const [from, to] = [w.arg(a), w.arg(c)]
  const [M, N, K, one] = [m, n, k, 1].map(i32) as [ScanArg, ScanArg, ScanArg, ScanArg]
  const args: ScanArg[] | undefined =
    from && to
      ? [M, N, K, from, K, one, { kind: 'packed', handle: packed }, to, N, { kind: 'f32', value: 1 }, i32(0)]
      : undefined
  args?.push(i32(0), { kind: 'panels', columns: n }, K)
  w.wasmCall(js, args && { target: { kind: 'kernel', name: 'gemmPacked' }, args }, 2 * m * n * k)
}

/** out[r] = the sum, mean or max of row r of x [rows, f], as the SIMD row reduction. */
function rowReduceCall(w: Writer, kind: 'sum' | 'mean' | 'max', rows: number, f: number, x: Slot, out: Slot) {
  const [from, to] = [w.arg(x), w.arg(out)]
  const name = kind === 'sum' ? 'rowSum' : kind === 'mean' ? 'rowMean' : 'rowMax'
  w.wasmCall(
    `K.pointwise.rowReduce.${kind}(${rows}, ${f}, ${w.address(x)}, ${f}, ${w.address(out)}, 1)`,
    from && to
      ? { target: { kind: 'kernel', name }, args: [i32(rows), i32(f), from, i32(f), to, i32(1)] }
      : undefined,
  )
}

const reduceRows =
  (kind: 'sum' | 'mean' | 'max'): Emit<'reduceSum' | 'reduceMean' | 'reduceMax'> =>
  (n, ctx) => {
    const [rows, f] = ctx.dims(n.inputs[0]!)
    const [x, out] = [ctx.slot(n.inputs[0]!), ctx.storage(n.id)]
    if (!ctx.w.wasm) return call(ctx, 'H.reduceRows', [`'${kind}'`, rows, f, x, out])
    rowReduceCall(ctx.w, kind, rows, f, x, out)
  }

/** How each call becomes code. */
export const emitters: { readonly [K in CallOp]: Emit<K> } = {
  layer: (n) => {
    throw new GraphError(`node %${n.id} (layer) should have been split by the lowerLayers pass`, n.id, n.op)
  },
  matmul: (n, ctx) => {
    const [a, b] = n.inputs as [Ref, Ref]
    const { transposeB } = n.attrs
    const [m, k] = ctx.dims(a)
    const bShape = ctx.types.of(b).shape
    const cols = transposeB ? bShape[0]! : bShape[1]!
    const packed = ctx.packed.get(n.id)
    if (packed) return packedProduct(ctx.w, m, cols, k, ctx.slot(a), packed, ctx.storage(n.id))
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
      shared.handle = ctx.packHandle(rows, cols, false)
      call(ctx, 'K.packing.packB', [shared.handle, ctx.slot(b)])
    }
    call(ctx, 'K.packing.gemmPacked', [m, ctx.slot(a), shared.handle, ctx.storage(n.id), true])
  },
  sumRows: (n, ctx) => {
    const [rows, f] = ctx.dims(n.inputs[0]!)
    const [x, out] = [ctx.slot(n.inputs[0]!), ctx.storage(n.id)]
    if (!ctx.w.wasm) return call(ctx, 'H.sumRows', [rows, f, x, out])
    ctx.w.columnSums(rows, f, x, out)
  },
  rowCount: (n, ctx) => {
    const out = ctx.storage(n.id)
    ctx.w.line(`${out.arr}[${offText(out)}] = ${ctx.dims(n.inputs[0]!)[0]}`)
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
    const w = ctx.w
    const index = jsIndex(accessOf(ctx.types.of(like), xType), f)
    // a bias gradient (a value per feature) and a value per row have SIMD kernels
    if (w.wasm && index === 'j') return w.columnSums(rows, f, src, out)
    if (w.wasm && index === 'r') return rowReduceCall(w, 'sum', rows, f, src, out)
    w.line(`H.fill(${elements(ctx.types.of(like), ctx.sizes)}, 0, ${out.arr}, ${offText(out)})`)
    w.line(
      `for (let r = 0, i = 0; r < ${rows}; r++) for (let j = 0; j < ${f}; j++, i++) ` +
        `${out.arr}[${plus(offText(out), index)}] += ${src.arr}[${plus(offText(src), 'i')}]`,
    )
  },
  concat: (n, ctx) => {
    const out = ctx.storage(n.id)
    const total = ctx.dims(n.id)[1]
    let at = 0
    for (const r of n.inputs) {
      const [rows, f] = ctx.dims(r)
      const src = ctx.slot(r)
      ctx.w.block(
        rows,
        f,
        src,
        f,
        shifted(out, at),
        total,
        `H.placeCols(${rows}, ${f}, ${at}, ${total}, ${src.arr}, ${offText(src)}, ${out.arr}, ${offText(out)})`,
      )
      at += f
    }
  },
  pad: (n, ctx) => {
    const out = ctx.storage(n.id)
    const [rows, f] = ctx.dims(n.inputs[0]!)
    const total = ctx.dims(n.id)[1]
    call(ctx, 'H.fill', [rows * total, 0, out])
    call(ctx, 'H.placeCols', [rows, f, n.attrs.before, total, ctx.slot(n.inputs[0]!), out])
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
}

export const emitCall = (n: Node, ctx: CallContext) => (emitters[n.op as CallOp] as Emit<OpName>)(n, ctx)
