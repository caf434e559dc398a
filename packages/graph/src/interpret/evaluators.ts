import type { Graph } from '../ir.js'
import type { OpAttrs, OpName } from '../ops/index.js'
import { type Tensor, tensor } from '../tensor.js'
import { isRows, type ValueType } from '../types.js'
import { asMatrix, broadcastIndex, dimsOf, rowDims } from './layout.js'
import { activationScalar, binaryScalar, unaryScalar } from './scalar.js'

export interface EvalContext {
  readonly args: readonly Tensor[]
  readonly argTypes: readonly ValueType[]
  readonly outTypes: readonly ValueType[]
  /** Runs a nested graph (a scan body) on values in its binding order. */
  readonly runBody: (body: Graph, values: readonly Tensor[]) => Tensor[]
}

type Evaluator<K extends OpName> = (attrs: OpAttrs[K], ctx: EvalContext) => Tensor[]

const leaf = (): never => {
  throw new Error('leaves are bound by the caller, not evaluated')
}

/** Output dims for a single-output op whose rows follow its row-valued arguments. */
const outDims = (ctx: EvalContext, k = 0) => dimsOf(ctx.outTypes[k]!, rowDims(ctx.args, ctx.argTypes))

function pointwise(ctx: EvalContext, f: (...xs: number[]) => number): Tensor[] {
  const dims = outDims(ctx)
  const out = tensor(dims)
  const outRows = isRows(ctx.outTypes[0]!)
  const features = dims.length === 0 ? 1 : dims[dims.length - 1]!
  const xs = new Array<number>(ctx.args.length)
  for (let i = 0; i < out.data.length; i++) {
    const r = Math.floor(i / features)
    const j = i % features
    ctx.args.forEach((a, k) => {
      xs[k] = a.data[broadcastIndex(a, ctx.argTypes[k]!, outRows, r, j, i)]!
    })
    out.data[i] = f(...xs)
  }
  return [out]
}

const unary = (f: (x: number) => number) => (_: unknown, ctx: EvalContext) => pointwise(ctx, f)
const binary = (f: (a: number, b: number) => number) => (_: unknown, ctx: EvalContext) => pointwise(ctx, f)

/** Applies `f` to every row of a [rows, last] view, writing rows of size `outLast`. */
function perRow(
  x: Tensor,
  dims: number[],
  outLast: number,
  f: (row: Float64Array, out: Float64Array, r: number) => void,
) {
  const [rows, last] = asMatrix(x)
  const out = tensor(dims)
  for (let r = 0; r < rows; r++)
    f(x.data.subarray(r * last, (r + 1) * last), out.data.subarray(r * outLast, (r + 1) * outLast), r)
  return [out]
}

/** exp(v − max) for a row and the sum of those exponentials: softmax without overflow or cancellation. */
const shiftedExp = (row: Float64Array) => {
  const max = Math.max(...row)
  const exps = Array.from(row, (v) => Math.exp(v - max))
  return { max, exps, sum: exps.reduce((s, v) => s + v, 0) }
}

/** x·Wᵀ for every row of x ([rows, in]) with W [out, in]. */
function rowsTimesWeightT(x: Tensor, w: Tensor, out: Float64Array) {
  const [rows, inSize] = asMatrix(x)
  const outSize = w.dims[0]!
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outSize; o++) {
      let s = 0
      for (let k = 0; k < inSize; k++) s += x.data[r * inSize + k]! * w.data[o * inSize + k]!
      out[r * outSize + o] = s
    }
}

function runScan(attrs: OpAttrs['scan'], ctx: EvalContext): Tensor[] {
  const { body, carries, sequences, reverse } = attrs
  const seqs = ctx.args.slice(carries, carries + sequences)
  const invariants = ctx.args.slice(carries + sequences)
  const [steps, batch] = seqs[0]!.dims as [number, number]
  let carry = ctx.args.slice(0, carries)
  const ys = ctx.outTypes.slice(carries).map((t) => tensor([steps, batch, t.shape[0]!]))
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s
    const xs = seqs.map((q) => {
      const f = q.dims[2]!
      return tensor([batch, f], q.data.subarray(t * batch * f, (t + 1) * batch * f))
    })
    const out = ctx.runBody(body, [...carry, ...xs, ...invariants])
    carry = out.slice(0, carries)
    out.slice(carries).forEach((y, k) => ys[k]!.data.set(y.data, t * y.data.length))
  }
  return [...carry, ...ys]
}

export const evaluators: { readonly [K in OpName]: Evaluator<K> } = {
  input: leaf,
  state: leaf,
  param: leaf,
  constant: ({ value }) => [tensor([], [value])],
  neg: unary(unaryScalar.neg),
  oneMinus: unary(unaryScalar.oneMinus),
  sigmoid: unary(unaryScalar.sigmoid),
  tanh: unary(unaryScalar.tanh),
  relu: unary(unaryScalar.relu),
  exp: unary(unaryScalar.exp),
  log: unary(unaryScalar.log),
  sqrt: unary(unaryScalar.sqrt),
  rsqrt: unary(unaryScalar.rsqrt),
  add: binary(binaryScalar.add),
  sub: binary(binaryScalar.sub),
  mul: binary(binaryScalar.mul),
  div: binary(binaryScalar.div),
  max: binary(binaryScalar.max),
  min: binary(binaryScalar.min),
  greater: binary(binaryScalar.greater),
  isfinite: unary(unaryScalar.isfinite),
  clamp: ({ min, max }, ctx) => pointwise(ctx, (x) => Math.min(Math.max(x, min), max)),
  where: (_, ctx) => pointwise(ctx, (c, a, b) => (c !== 0 ? a : b)),
  layer: ({ activation }, ctx) => {
    const [x, w, ...biases] = ctx.args
    const out = tensor(outDims(ctx))
    rowsTimesWeightT(x!, w!, out.data)
    const outSize = w!.dims[0]!
    const act = activationScalar[activation]
    for (let i = 0; i < out.data.length; i++) {
      let v = out.data[i]!
      for (const b of biases) v += b.data[i % outSize]!
      out.data[i] = act(v)
    }
    return [out]
  },
  matmul: ({ transposeB }, ctx) => {
    const [a, b] = ctx.args
    const [rows, k] = asMatrix(a!)
    const n = transposeB ? b!.dims[0]! : b!.dims[1]!
    const out = tensor(outDims(ctx))
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < n; c++) {
        let s = 0
        for (let i = 0; i < k; i++) s += a!.data[r * k + i]! * b!.data[transposeB ? c * k + i : i * n + c]!
        out.data[r * n + c] = s
      }
    return [out]
  },
  outerSum: (_, ctx) => {
    const [a, b] = ctx.args
    const [rows, m] = asMatrix(a!)
    const n = asMatrix(b!)[1]
    const out = tensor([m, n])
    for (let r = 0; r < rows; r++)
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) out.data[i * n + j]! += a!.data[r * m + i]! * b!.data[r * n + j]!
    return [out]
  },
  sumRows: (_, ctx) => {
    const [rows, f] = asMatrix(ctx.args[0]!)
    const out = tensor([f])
    for (let r = 0; r < rows; r++) for (let j = 0; j < f; j++) out.data[j]! += ctx.args[0]!.data[r * f + j]!
    return [out]
  },
  rowCount: (_, ctx) => [tensor([], [asMatrix(ctx.args[0]!)[0]])],
  sumAll: (_, ctx) => [tensor([], [ctx.args[0]!.data.reduce((s, v) => s + v, 0)])],
  broadcastLike: (_, ctx) => {
    const [x, like] = ctx.args
    const out = tensor(like!.dims)
    const outRows = isRows(ctx.outTypes[0]!)
    const f = asMatrix(like!)[1]
    for (let i = 0; i < out.data.length; i++)
      out.data[i] = x!.data[broadcastIndex(x!, ctx.argTypes[0]!, outRows, Math.floor(i / f), i % f, i)]!
    return [out]
  },
  sumLike: (_, ctx) => {
    const [x, like] = ctx.args
    const out = tensor(like!.dims)
    const xRows = isRows(ctx.argTypes[0]!)
    const f = asMatrix(x!)[1]
    for (let i = 0; i < x!.data.length; i++)
      out.data[broadcastIndex(out, ctx.argTypes[1]!, xRows, Math.floor(i / f), i % f, i)]! += x!.data[i]!
    return [out]
  },
  concat: (_, ctx) => {
    const dims = outDims(ctx)
    const out = tensor(dims)
    const [rows, total] = asMatrix(out)
    let offset = 0
    for (const a of ctx.args) {
      const f = asMatrix(a)[1]
      for (let r = 0; r < rows; r++) out.data.set(a.data.subarray(r * f, (r + 1) * f), r * total + offset)
      offset += f
    }
    return [out]
  },
  slice: ({ start, end }, ctx) =>
    perRow(ctx.args[0]!, outDims(ctx), end - start, (row, out) => out.set(row.subarray(start, end))),
  pad: ({ before }, ctx) => {
    const dims = outDims(ctx)
    return perRow(ctx.args[0]!, dims, dims[dims.length - 1]!, (row, out) => out.set(row, before))
  },
  reduceSum: (_, ctx) =>
    perRow(ctx.args[0]!, outDims(ctx), 1, (row, out) => (out[0] = row.reduce((s, v) => s + v, 0))),
  reduceMean: (_, ctx) =>
    perRow(
      ctx.args[0]!,
      outDims(ctx),
      1,
      (row, out) => (out[0] = row.reduce((s, v) => s + v, 0) / row.length),
    ),
  reduceMax: (_, ctx) => perRow(ctx.args[0]!, outDims(ctx), 1, (row, out) => (out[0] = Math.max(...row))),
  softmax: (_, ctx) =>
    perRow(ctx.args[0]!, outDims(ctx), asMatrix(ctx.args[0]!)[1], (row, out) => {
      const { exps, sum } = shiftedExp(row)
      exps.forEach((e, j) => (out[j] = e / sum))
    }),
  crossEntropy: (_, ctx) => {
    const target = ctx.args[1]!
    return perRow(ctx.args[0]!, outDims(ctx), 1, (row, out, r) => {
      const { max, sum } = shiftedExp(row)
      out[0] = max - row[classIndex(target, r, row.length)]! + Math.log(sum)
    })
  },
  crossEntropyGrad: (_, ctx) => {
    const [logits, target, g] = ctx.args
    return perRow(logits!, outDims(ctx), asMatrix(logits!)[1], (row, out, r) => {
      const { exps, sum } = shiftedExp(row)
      const t = classIndex(target!, r, row.length)
      exps.forEach((e, j) => (out[j] = (e / sum - (j === t ? 1 : 0)) * g!.data[r]!))
    })
  },
  scan: runScan,
}

function classIndex(target: Tensor, r: number, classes: number): number {
  const t = target.data[r]!
  if (!Number.isInteger(t) || t < 0 || t >= classes)
    throw new RangeError(`target ${t} in row ${r} is not a class index in [0, ${classes})`)
  return t
}
