import {
  type Graph,
  GraphError,
  type GraphTypes,
  type Node,
  type OpAttrs,
  type OpName,
  parseRef,
  type ValueType,
  verify,
} from '@cellgraph/graph'
import { type FusedKernel, fusePointwise } from '../plan/fusion.js'
import { copyKernel, type KernelCall, type ParamList, perIndexKernel, sumAllKernel } from './kernel.js'
import { matmulKernel } from './matmul.js'
import { rowKernels } from './rowKernels.js'
import { type ArenaLayout, fixed, type Place, type RunSizes, type ValueInfo, valueInfo } from './values.js'
import { literal, type PointwiseOpName, pointwiseTemplates } from './wgsl.js'

/** A kernel whose parameters may depend on the scan step `s` (0 outside loops). */
export interface KernelStep {
  readonly kind: 'kernel'
  readonly build: (s: number) => KernelCall
}
/** All timesteps of one scan: `body` is encoded `steps` times into the same submission. */
export interface LoopStep {
  readonly kind: 'loop'
  readonly steps: number
  readonly body: readonly KernelStep[]
}
export type ProgramStep = KernelStep | LoopStep

interface LowerContext {
  readonly sizes: RunSizes
  readonly layout: ArenaLayout
  readonly inLoop: boolean
  /** Where node `id`'s output lands: a caller-chosen place (scan bodies) or a fresh region. */
  readonly place: (id: string, count: number) => Place
}

type Lowering<K extends OpName> = (
  node: Node<K>,
  args: readonly ValueInfo[],
  out: ValueInfo,
  cx: LowerContext,
) => ProgramStep[]

const kernel = (build: (s: number) => KernelCall): KernelStep => ({ kind: 'kernel', build })

const sumLike: Lowering<'sumLike'> = (_, [x], out) => {
  // `like` broadcasts to x: sum the elements of x that read each output element.
  if (out.count === x!.count) return [kernel((s) => copyKernel(x!.place(s), out.place(s), out.count))]
  if (out.count === 1) return [kernel((s) => sumAllKernel(x!.place(s), x!.count, out.place(s)))]
  if (out.type.layout === 'tensor') return rowKernels.sumRows(x!, out)
  return rowKernels.reduceSum(x!, out)
}

/**
 * How each op becomes kernels: a missing op is a type error. 'fused' ops run inside the fused
 * elementwise kernels that `fusePointwise` (shared with the CPU backend) forms.
 */
const lowerings: { readonly [K in OpName]: Lowering<K> | 'leaf' | 'fused' | 'scan' } = {
  input: 'leaf',
  state: 'leaf',
  param: 'leaf',
  constant: 'leaf',
  rowCount: 'leaf',
  neg: 'fused',
  oneMinus: 'fused',
  sigmoid: 'fused',
  tanh: 'fused',
  relu: 'fused',
  exp: 'fused',
  log: 'fused',
  sqrt: 'fused',
  rsqrt: 'fused',
  add: 'fused',
  sub: 'fused',
  mul: 'fused',
  div: 'fused',
  max: 'fused',
  min: 'fused',
  greater: 'fused',
  clamp: 'fused',
  where: 'fused',
  broadcastLike: 'fused',
  scan: 'scan',
  layer: ({ attrs }, [x, w, ...biases], out) => [
    kernel((s) =>
      matmulKernel({
        m: x!.rows,
        n: w!.dims[0]!,
        k: x!.last,
        transposeA: false,
        transposeB: true,
        a: x!.place(s),
        b: w!.place(s),
        c: out.place(s),
        biases: biases.map((b) => b.place(s)),
        activation: attrs.activation,
      }),
    ),
  ],
  matmul: ({ attrs }, [a, b], out) => [
    kernel((s) =>
      matmulKernel({
        m: a!.rows,
        n: out.last,
        k: a!.last,
        transposeA: false,
        transposeB: attrs.transposeB,
        a: a!.place(s),
        b: b!.place(s),
        c: out.place(s),
        biases: [],
        activation: 'identity',
      }),
    ),
  ],
  outerSum: (_, [a, b], out) => [
    kernel((s) =>
      matmulKernel({
        m: a!.last,
        n: b!.last,
        k: a!.rows,
        transposeA: true,
        transposeB: false,
        a: a!.place(s),
        b: b!.place(s),
        c: out.place(s),
        biases: [],
        activation: 'identity',
      }),
    ),
  ],
  sumRows: (_, [x], out) => rowKernels.sumRows(x!, out),
  sumAll: (_, [x], out) => [kernel((s) => sumAllKernel(x!.place(s), x!.count, out.place(s)))],
  sumLike,
  concat: (_, args, out) => rowKernels.concat(args, out),
  slice: 'fused',
  pad: ({ attrs }, [x], out) => rowKernels.pad(x!, out, attrs.before),
  reduceSum: (_, [x], out) => rowKernels.reduceSum(x!, out),
  reduceMean: (_, [x], out) => rowKernels.reduceMean(x!, out),
  reduceMax: (_, [x], out) => rowKernels.reduceMax(x!, out),
  softmax: (_, [x], out) => rowKernels.softmax(x!, out),
  crossEntropy: (_, [logits, target], out) => rowKernels.crossEntropy(logits!, target!, out),
  crossEntropyGrad: (_, [logits, target, g], out) => rowKernels.crossEntropyGrad(logits!, target!, g!, out),
}

/** Reads operand `a` at output element (r, j, i) of a fused kernel, broadcasting as the IR does. */
function operandRead(a: ValueInfo, outType: ValueType, s: number, p: ParamList): string {
  if (a.constant !== undefined) return literal(a.constant)
  const o = p.add(a.place(s))
  if (a.type.layout !== 'tensor') return a.last === 1 ? `arena[${o} + r]` : `arena[${o} + r * ${a.last}u + j]`
  if (a.count === 1) return `arena[${o}]`
  return outType.layout !== 'tensor' ? `arena[${o} + j]` : `arena[${o} + i]`
}

/** One member's value inside a fused kernel: a slice is a strided read, the rest templates. */
function memberExpression(m: Node, args: string[], env: Map<string, ValueInfo>, s: number, p: ParamList) {
  if (m.op === 'slice') {
    if (args.length > 0) return args[0]!
    const x = env.get(m.inputs[0]!)!
    const { start } = m.attrs as OpAttrs['slice']
    return `arena[${p.add(x.place(s))} + r * ${x.last}u + ${start}u + j]`
  }
  const template = pointwiseTemplates[m.op as PointwiseOpName] as (a: string[], attrs: unknown) => string
  return template(args, m.attrs)
}

function fusedKernel(group: FusedKernel, env: Map<string, ValueInfo>, out: ValueInfo, s: number) {
  return perIndexKernel(out.count, (p) => {
    const local = new Map<string, string>()
    const lines = [`  let r = i / ${out.last}u;`, `  let j = i % ${out.last}u;`]
    group.members.forEach((m, k) => {
      const read = (r: string) => local.get(r) ?? operandRead(env.get(r)!, out.type, s, p)
      const args = m.op === 'slice' && !local.has(m.inputs[0]!) ? [] : m.inputs.map(read)
      lines.push(`  let v${k} = ${memberExpression(m, args, env, s, p)};`)
      local.set(m.id, `v${k}`)
      if (group.stored.has(m.id)) lines.push(`  arena[${p.add(env.get(m.id)!.place(s))} + i] = v${k};`)
    })
    return lines.join('\n')
  })
}

/**
 * Lowers a verified graph whose leaves are already in `env` to program steps, adding every
 * node's value to `env`. Returns the steps in dataflow order.
 */
export function lowerGraph(
  graph: Graph,
  types: GraphTypes,
  env: Map<string, ValueInfo>,
  cx: LowerContext,
): ProgramStep[] {
  const groups = new Map<string, FusedKernel>()
  for (const k of fusePointwise(graph, types)) for (const m of k.members) groups.set(m.id, k)
  const steps: ProgramStep[] = []
  const at = (n: Node) => `node %${n.id} (${n.op})`
  for (const n of graph.nodes) {
    if (env.has(n.id)) continue
    const outTypes = types.byNode.get(n.id)!
    const how = lowerings[n.op]
    const args = n.inputs.map((r) => env.get(r)!)
    if (how === 'leaf') {
      if (n.op !== 'constant' && n.op !== 'rowCount')
        throw new GraphError(`${at(n)} is not bound`, n.id, n.op)
      const value = n.op === 'constant' ? (n.attrs as OpAttrs['constant']).value : args[0]!.rows
      env.set(n.id, valueInfo(outTypes[0]!, cx.sizes, fixed(cx.layout.constantCell(value)), value))
    } else if (how === 'fused') {
      const group = groups.get(n.id)!
      const info = valueInfo(outTypes[0]!, cx.sizes, () => {
        throw new Error(`fused value %${n.id} has no memory`)
      })
      env.set(n.id, group.stored.has(n.id) ? { ...info, place: cx.place(n.id, info.count) } : info)
      if (group.members[group.members.length - 1] === n) {
        const out = env.get(n.id)!
        steps.push(kernel((s) => fusedKernel(group, env, out, s)))
      }
    } else if (how === 'scan') {
      if (cx.inLoop)
        throw new GraphError(`${at(n)}: a scan inside a scan body is not supported on WebGPU`, n.id, n.op)
      steps.push(...lowerScan(n as Node<'scan'>, args, outTypes, env, cx))
    } else {
      const info = valueInfo(outTypes[0]!, cx.sizes, fixed(0))
      const out = { ...info, place: cx.place(n.id, info.count) }
      env.set(n.id, out)
      steps.push(...(how as Lowering<OpName>)(n, args, out, cx))
    }
  }
  return steps
}

/**
 * A scan as one loop: every carry has two slots that alternate by step parity (step s reads slot
 * s % 2 and writes slot (s + 1) % 2), per-step outputs land in their slice of the stacked output,
 * and nothing is read back between steps.
 */
function lowerScan(
  node: Node<'scan'>,
  args: readonly ValueInfo[],
  outTypes: readonly ValueType[],
  env: Map<string, ValueInfo>,
  cx: LowerContext,
): ProgramStep[] {
  const { body, carries, sequences, reverse } = node.attrs
  const bodyTypes = verify(body)
  const steps = cx.sizes.steps
  const time = (s: number) => (reverse ? steps - 1 - s : s)
  const carryInfo = args.slice(0, carries)
  const slots = carryInfo.map((c) => cx.layout.take(2 * c.count))
  const slot = (k: number, parity: number) => slots[k]! + parity * carryInfo[k]!.count
  const ys = outTypes.slice(carries).map((t) => {
    const info = valueInfo(t, cx.sizes, fixed(0))
    return { ...info, place: fixed(cx.layout.take(info.count)) }
  })
  const stepSize = (y: ValueInfo) => y.count / steps
  const target = (o: number): Place =>
    o < carries
      ? (s) => slot(o, (s + 1) % 2)
      : (s) => ys[o - carries]!.place(0) + time(s) * stepSize(ys[o - carries]!)

  const bodyEnv = new Map<string, ValueInfo>()
  body.inputs.forEach((id, i) => {
    const t = bodyTypes.of(id)
    const outer = args[i]!
    const place: Place =
      i < carries
        ? (s) => slot(i, s % 2)
        : i < carries + sequences
          ? (s) => outer.place(0) + time(s) * (outer.count / steps)
          : outer.place
    bodyEnv.set(id, valueInfo(t, cx.sizes, place))
  })
  // Body nodes that are outputs write straight into their carry slot or output slice.
  const direct = new Map<string, number>()
  body.outputs.forEach((o, k) => {
    const { node: id, output } = parseRef(o.ref)
    if (output === 0 && !direct.has(id) && !body.inputs.includes(id)) direct.set(id, k)
  })
  const bodyCx: LowerContext = {
    ...cx,
    inLoop: true,
    place: (id, count) => {
      const k = direct.get(id)
      return k === undefined ? cx.place(id, count) : target(k)
    },
  }
  const bodySteps = lowerGraph(body, bodyTypes, bodyEnv, bodyCx) as KernelStep[]
  const fixups = body.outputs.flatMap((o, k) => {
    const { node: id } = parseRef(o.ref)
    const src = bodyEnv.get(o.ref)!
    if (direct.get(id) === k && src.constant === undefined) return []
    return [kernel((s) => copyKernel(src.place(s), target(k)(s), src.count))]
  })
  carryInfo.forEach((c, k) => {
    env.set(`${node.id}${k === 0 ? '' : `:${k}`}`, { ...c, place: fixed(slot(k, steps % 2)) })
  })
  ys.forEach((y, j) => env.set(`${node.id}:${carries + j}`, y))
  return [
    ...carryInfo.map((c, k) => kernel(() => copyKernel(c.place(0), slot(k, 0), c.count))),
    { kind: 'loop', steps, body: [...bodySteps, ...fixups] },
  ]
}
