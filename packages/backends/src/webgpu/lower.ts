import { type Activation, GraphError, type Node, type OpName, type ValueType } from '@cellgraph/graph'
import { bodyKernels } from '../plan/bodyKernels.js'
import { type ConcatStore, concatStores } from '../plan/concatStores.js'
import type { CallOp, FusedStep, LevelPlan, LoopStep as PlannedLoop, Step } from '../plan/kernelPlan.js'
import { type LoopPlaces, loopPlaces } from '../plan/loopPlaces.js'
import { groupRows, type RowGroup, rowProducts } from '../plan/rowGroups.js'
import { batches } from './batches.js'
import { columnSum } from './columnSum.js'
import { fusedElement } from './fused.js'
import { type KernelCall, perRowKernel, workgroupSize, workgroupTotal } from './kernel.js'
import { type MatmulOptions, type MatmulSpec, matmulKernel } from './matmul.js'
import { productTailKernel } from './productTail.js'
import { concatSegment, rowKernels } from './rowKernels.js'
import { rowProductStatements } from './rowProduct.js'
import { copySegment, type StepSegment, segmentSteps } from './segments.js'
import { type ElementStatements, sumsOfAll } from './sumAll.js'
import { sumPrologues } from './sumPrologues.js'
import { type ArenaLayout, fixed, type Place, type RunSizes, type ValueInfo, valueInfo } from './values.js'
import { waves } from './waves.js'
import { literal } from './wgsl.js'

type Concats = ReadonlyMap<string, readonly ConcatStore[]>

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
  /** Concats of a scan body that run after its loop (`loopPlaces`): placed, not run, in the body. */
  readonly hoisted?: ReadonlySet<string>
  /** Where node `id`'s output lands: a caller-chosen place (scan bodies) or a fresh region. */
  readonly place: (id: string, count: number) => Place
  readonly matmul: MatmulOptions
}

type Lowering<K extends OpName> = (
  node: Node<K>,
  args: readonly ValueInfo[],
  out: ValueInfo,
  cx: LowerContext,
) => ProgramStep[]

const kernel = (build: (s: number) => KernelCall): KernelStep => ({ kind: 'kernel', build })

const take = (cx: LowerContext) => (n: number) => cx.layout.take(n)

const sumLike: Lowering<'sumLike'> = (_, [x], out, cx) => {
  // `like` broadcasts to x: sum the elements of x that read each output element.
  if (out.count === x!.count) return segmentSteps('copy', [copySegment(x!.place, out.place, out.count)])
  if (out.count === 1) return sumsOfAll([x!], [out], take(cx))
  if (out.type.layout === 'tensor') return columnSum([x!], [out], take(cx))
  return rowKernels.reduceSum(x!, out)
}

type ProductShape = Pick<MatmulSpec, 'm' | 'n' | 'k' | 'transposeA' | 'transposeB'>

/** The shape of a `matmul` or `outerSum` call's product from its operands. */
function productShape(node: Node, [a, b]: readonly ValueInfo[], out: ValueInfo): ProductShape {
  if (node.op === 'outerSum')
    return { m: a!.last, n: b!.last, k: a!.rows, transposeA: true, transposeB: false }
  if (node.op === 'matmul')
    return { m: a!.rows, n: out.last, k: a!.last, transposeA: false, transposeB: node.attrs.transposeB }
  throw new GraphError(`node %${node.id} (${node.op}) is not a matrix product`, node.id, node.op)
}

/**
 * One matrix-product kernel, its operands placed at step `s`; `batch` adds products of the same
 * shape (operands and result) that the same dispatch computes.
 */
function product(
  cx: LowerContext,
  shape: ProductShape,
  a: ValueInfo,
  b: ValueInfo,
  out: ValueInfo,
  tail: { readonly biases: readonly ValueInfo[]; readonly activation: Activation } = {
    biases: [],
    activation: 'identity',
  },
  batch: readonly (readonly [ValueInfo, ValueInfo, ValueInfo])[] = [],
): ProgramStep[] {
  return [
    kernel((s) =>
      matmulKernel(
        {
          ...shape,
          a: a.place(s),
          b: b.place(s),
          c: out.place(s),
          biases: tail.biases.map((v) => v.place(s)),
          activation: tail.activation,
          ...(batch.length > 0
            ? { batch: batch.map(([x, y, z]) => ({ a: x.place(s), b: y.place(s), c: z.place(s) })) }
            : {}),
        },
        cx.matmul,
      ),
    ),
  ]
}

/**
 * Independent calls of one op (`batches`): one product kernel, column sum or sum of all elements
 * (`sumElement`: what a sum adds where it is not its input's values, `sumPrologues`).
 */
function lowerBatch(
  nodes: readonly Node[],
  env: ReadonlyMap<string, ValueInfo>,
  cx: LowerContext,
  sumElement: (sum: Node) => ElementStatements | undefined,
) {
  const args = nodes.map((n) => n.inputs.map((r) => env.get(r)!))
  const outs = nodes.map((n) => env.get(n.id)!)
  const { op } = nodes[0]!
  if (op === 'sumRows')
    return columnSum(
      args.map(([x]) => x!),
      outs,
      take(cx),
    )
  if (op === 'sumAll')
    return sumsOfAll(
      args.map(([x]) => x!),
      outs,
      take(cx),
      nodes.map(sumElement),
    )
  const [a, b] = args[0]!
  const more = args.slice(1).map(([x, y], k) => [x!, y!, outs[k + 1]!] as const)
  return product(cx, productShape(nodes[0]!, args[0]!, outs[0]!), a!, b!, outs[0]!, undefined, more)
}

/** How each call of the plan becomes kernels: a missing op is a type error. */
const lowerings: { readonly [K in CallOp]: Lowering<K> } = {
  layer: ({ attrs }, [x, w, ...biases], out, cx) =>
    product(
      cx,
      { m: x!.rows, n: w!.dims[0]!, k: x!.last, transposeA: false, transposeB: true },
      x!,
      w!,
      out,
      {
        biases,
        activation: attrs.activation,
      },
    ),
  matmul: (node, args, out, cx) => product(cx, productShape(node, args, out), args[0]!, args[1]!, out),
  outerSum: (node, args, out, cx) => product(cx, productShape(node, args, out), args[0]!, args[1]!, out),
  sumRows: (_, [x], out, cx) => columnSum([x!], [out], take(cx)),
  sumAll: (_, [x], out, cx) => sumsOfAll([x!], [out], take(cx)),
  sumLike,
  concat: (_, args, out) => rowKernels.concat(args, out),
  pad: ({ attrs }, [x], out) => rowKernels.pad(x!, out, attrs.before),
  reduceSum: (_, [x], out) => rowKernels.reduceSum(x!, out),
  reduceMean: (_, [x], out) => rowKernels.reduceMean(x!, out),
  reduceMax: (_, [x], out) => rowKernels.reduceMax(x!, out),
  softmax: (_, [x], out) => rowKernels.softmax(x!, out),
  crossEntropy: (_, [logits, target], out) => rowKernels.crossEntropy(logits!, target!, out),
  crossEntropyGrad: (_, [logits, target, g], out) => rowKernels.crossEntropyGrad(logits!, target!, g!, out),
  rowCount: () => [], // a constant cell (see lowerGraph)
}

/** A fused kernel of the plan as WGSL: one thread per element of its iteration space `out`. */
const fusedSegment = (
  step: FusedStep,
  env: Map<string, ValueInfo>,
  out: ValueInfo,
  concats: Concats,
): StepSegment => ({
  count: out.count,
  body: (p, s) =>
    `  let r = i / ${out.last}u;\n  let j = i % ${out.last}u;\n${fusedElement(step, env, out.last, s, p, { concats })}`,
})

/**
 * A row group's kernel: one workgroup per row r; its threads share each member's part of the row
 * (threads lid, lid + 64, …), a reduction sums in workgroup memory, and a barrier ends each member
 * so the next reads what it wrote.
 */
function rowGroupKernel(
  group: RowGroup,
  env: Map<string, ValueInfo>,
  rows: number,
  s: number,
  concats: Concats,
  productColumns: number | undefined,
) {
  return perRowKernel(rows, (p) =>
    group.steps
      .map((st) => {
        if (st.kind === 'fused') {
          const w = env.get(st.members.at(-1)!.id)!.last
          const body = fusedElement(st, env, w, s, p, { concats }).replaceAll('\n', '\n  ')
          return `  for (var j = lid; j < ${w}u; j += ${workgroupSize}u) {
    let i = r * ${w}u + j;
  ${body}
  }`
        }
        if (rowProducts.has(st.node.op)) return rowProductStatements(st.node, env, s, p, productColumns)
        const x = env.get(st.node.inputs[0]!)!
        const out = env.get(st.node.id)!
        const value = st.node.op === 'reduceMean' ? `total / ${literal(x.last)}` : 'total'
        return `  {
    var acc = 0.0;
    for (var k = lid; k < ${x.last}u; k += ${workgroupSize}u) { acc += arena[${p.add(x.place(s))} + r * ${x.last}u + k]; }
    ${workgroupTotal('acc').replaceAll('\n', '\n  ')}
    if (lid == 0u) { arena[${p.add(out.place(s))} + r * ${out.last}u] = ${value}; }
  }`
      })
      .join('\n  storageBarrier();\n  workgroupBarrier();\n'),
  )
}

/**
 * Lowers one level of a kernel plan whose leaves are already in `env` to program steps, adding
 * every node's value to `env`. Returns the steps in the plan's order.
 */
export function lowerGraph(level: LevelPlan, env: Map<string, ValueInfo>, cx: LowerContext): ProgramStep[] {
  const { graph, types } = level
  const at = (n: Node) => `node %${n.id} (${n.op})`
  const cell = (n: Node, value: number) =>
    env.set(n.id, valueInfo(types.of(n.id), cx.sizes, fixed(cx.layout.constantRegion(1, value)), value))
  for (const n of graph.nodes) {
    if (n.op === 'constant' && !env.has(n.id)) cell(n, n.attrs.value)
    else if ((n.op === 'input' || n.op === 'state' || n.op === 'param') && !env.has(n.id))
      throw new GraphError(`${at(n)} is not bound`, n.id, n.op)
  }
  /**
   * Gives a fused kernel's stored members their memory, `stored(store, info)` (by default a place
   * of their own), and returns its iteration space. Members only registers hold have no memory.
   */
  const placeFused = (
    step: FusedStep,
    stored: (store: FusedStep['stores'][number], info: ValueInfo) => ValueInfo = (st, info) => ({
      ...info,
      place: cx.place(st.id, info.count),
    }),
  ) => {
    const stores = new Map(step.stores.map((st) => [st.id, st]))
    for (const m of step.members) {
      const info = valueInfo(types.of(m.id), cx.sizes, () => {
        throw new Error(`fused value %${m.id} has no memory`)
      })
      const store = stores.get(m.id)
      env.set(m.id, store ? stored(store, info) : info)
    }
    return env.get(step.members.at(-1)!.id)!
  }
  /** A stored constant as a region filled when the plan is built (kernels reading it inline the literal). */
  const constantFill = ({ value }: FusedStep['stores'][number], info: ValueInfo) => {
    const v = value.kind === 'constant' ? value.value : 0
    return valueInfo(info.type, cx.sizes, fixed(cx.layout.constantRegion(info.count, v)), v)
  }
  const placeCall = (n: Node) => {
    const info = valueInfo(types.of(n.id), cx.sizes, fixed(0))
    const out = { ...info, place: cx.place(n.id, info.count) }
    env.set(n.id, out)
    return out
  }
  const steps: ProgramStep[] = []
  // Concats whose parts fused kernels make are written by those kernels, and a scan body's
  // hoisted concats run after its loop: both are placed here, and run no kernel in this level.
  const { stores: concats, absorbed } = concatStores(level)
  const placedOnly = new Set([...absorbed, ...(cx.hoisted ?? [])])
  for (const st of level.steps) if (st.kind === 'call' && placedOnly.has(st.node.id)) placeCall(st.node)
  // Outside scans, a fused kernel that stores only constants (the zero initial states of a
  // backward scan) is filled once when the plan is built: nothing writes a value outside scans
  // after it is made, so no run needs to write it again.
  const filled = (st: Step) =>
    !cx.inLoop &&
    st.kind === 'fused' &&
    st.operands.length === 0 &&
    st.stores.every((store) => store.value.kind === 'constant' && !concats.has(store.id))
  for (const st of level.steps) if (st.kind === 'fused' && filled(st)) placeFused(st, constantFill)
  // Outside scans, a sum of all elements computes the one value of a fused kernel that only it
  // reads where it adds it (`sumPrologues`): that kernel runs inside the sum's.
  const prologues = cx.inLoop ? new Map<string, FusedStep>() : sumPrologues(level, concats)
  const inSums = new Set(prologues.values())
  for (const st of inSums) placeFused(st, (_, info) => info) // computed inside the sum: no memory
  const sumElement = (sum: Node): ElementStatements | undefined => {
    const fused = prologues.get(sum.id)
    if (!fused) return undefined
    const { id } = fused.stores[0]!
    const w = env.get(id)!.last
    return (p, s) =>
      `let r = i / ${w}u;\nlet j = i % ${w}u;\n${fusedElement(fused, env, w, s, p, { concats, element: id })}`
  }
  const others = level.steps.filter(
    (st) =>
      !filled(st) &&
      !(st.kind === 'fused' && inSums.has(st)) &&
      (st.kind !== 'call' || !placedOnly.has(st.node.id)),
  )
  // In a scan body a product's rows are the batch (small M): it runs with its tail or its row group.
  // Outside, independent steps run together where they can (`waves`, `batches`).
  const through = new Map<string, readonly string[]>([
    ...graph.nodes.filter((n) => placedOnly.has(n.id)).map((n) => [n.id, n.inputs] as const),
    ...[...inSums].map((st) => [st.stores[0]!.id, st.operands.map((o) => o.ref)] as const),
  ])
  const shape = (n: Node) =>
    [n.op, JSON.stringify(n.attrs), ...[...n.inputs, n.id].map((r) => JSON.stringify(types.of(r)))].join(' ')
  const planned = cx.inLoop
    ? bodyKernels(level, placedOnly, cx.matmul.tuning)
    : waves(groupRows(level, others), through).flatMap((wave) => batches(wave, shape))
  for (const step of planned) {
    if (step.kind === 'batch') {
      for (const n of step.nodes) placeCall(n)
      steps.push(...lowerBatch(step.nodes, env, cx, sumElement))
    } else if (step.kind === 'fused batch') {
      const segments = step.steps.map((st) => fusedSegment(st, env, placeFused(st), concats))
      steps.push(...segmentSteps('pointwise', segments))
    } else if (step.kind === 'productTail' || step.kind === 'headProduct') {
      if (step.kind === 'headProduct') placeFused(step.head)
      const pair = step.kind === 'headProduct' ? step.product : step
      if (pair.kind === 'productTail') {
        const { node } = pair.product
        env.set(
          node.id,
          valueInfo(types.of(node.id), cx.sizes, () => {
            throw new Error(`product %${node.id} is computed in its tail's kernel and has no memory`)
          }),
        )
        placeFused(pair.tail)
      } else placeCall(pair.node)
      steps.push(kernel((s) => productTailKernel(step, env, s, concats)))
    } else if (step.kind === 'rows') {
      const first = step.steps[0]!
      const rows = first.kind === 'fused' ? placeFused(first).rows : placeCall(first.node).rows
      for (const st of step.steps.slice(1)) st.kind === 'fused' ? placeFused(st) : placeCall(st.node)
      const columns = cx.matmul.tuning.rowProductColumns
      steps.push(kernel((s) => rowGroupKernel(step, env, rows, s, concats, columns)))
    } else if (step.kind === 'fused') {
      steps.push(...segmentSteps('pointwise', [fusedSegment(step, env, placeFused(step), concats)]))
    } else if (step.kind === 'loop') {
      const n = step.node
      if (cx.inLoop)
        throw new GraphError(`${at(n)}: a scan inside a scan body is not supported on WebGPU`, n.id, n.op)
      steps.push(
        ...lowerScan(
          step,
          n.inputs.map((r) => env.get(r)!),
          types.byNode.get(n.id)!,
          env,
          cx,
        ),
      )
    } else if (step.node.op === 'rowCount') cell(step.node, env.get(step.node.inputs[0]!)!.rows)
    else if (prologues.has(step.node.id)) {
      placeCall(step.node)
      steps.push(...lowerBatch([step.node], env, cx, sumElement))
    } else {
      const n = step.node
      const out = placeCall(n)
      const lowering = lowerings[n.op as CallOp] as Lowering<OpName>
      steps.push(
        ...lowering(
          n,
          n.inputs.map((r) => env.get(r)!),
          out,
          cx,
        ),
      )
    }
  }
  return steps
}

/**
 * Where each version of a scan's carries lives (`loopPlaces`): version v is what step v reads.
 * `written`, `read` and `both` carries live in the per-step outputs they share, so no step copies
 * them (`both`: the two outputs overlap, `stackedOutputs`); a `pair` alternates between two slots
 * from version 1. Version 0 of a `written` or `pair` carry is the initial value where it is (no
 * step writes version 0, and nothing writes a value outside scans after it is made); a `read` or
 * `both` carry's version 0 is a slice of a per-step output, copied in (`initialCopies`).
 */
function carryVersions(
  places: LoopPlaces,
  carryInfo: readonly ValueInfo[],
  outputSlice: (o: number, s: number) => number,
  steps: number,
  layout: ArenaLayout,
): (k: number, v: number) => number {
  const versions = carryInfo.map((c, k): ((v: number) => number) => {
    const place = places.carries[k]!
    const initial = c.place(0)
    if (place.kind === 'written') return (v) => (v === 0 ? initial : outputSlice(place.output, v - 1))
    if (place.kind === 'read') {
      const last = layout.take(c.count)
      return (v) => (v < steps ? outputSlice(place.output, v) : last)
    }
    if (place.kind === 'both')
      return (v) => (v < steps ? outputSlice(place.read, v) : outputSlice(place.written, v - 1))
    const pair = layout.take(2 * c.count)
    return (v) => (v === 0 ? initial : pair + ((v - 1) % 2) * c.count)
  })
  return (k, v) => versions[k]!(v)
}

/** The copies of initial carry values into version 0 where that is not the value itself (`carryVersions`). */
const initialCopies = (
  places: LoopPlaces,
  carryInfo: readonly ValueInfo[],
  version: (k: number, v: number) => number,
): StepSegment[] =>
  carryInfo.flatMap((c, k) => {
    const { kind } = places.carries[k]!
    return kind === 'read' || kind === 'both' ? [copySegment(c.place, () => version(k, 0), c.count)] : []
  })

/**
 * A concat moved out of its loop (`loopPlaces().hoisted`), run over the steps it covers: one
 * segment for each run of steps over which the output and every part move by one slice the same
 * way (for [h, x] of a forward scan: step 0, whose h is the initial value, then steps 1..T−1),
 * all of a loop's hoisted concats one kernel.
 */
function hoistedConcat(args: readonly ValueInfo[], out: ValueInfo, steps: number): StepSegment[] {
  const values = [out, ...args]
  const direction = (s: number) => {
    const d = out.place(s + 1) - out.place(s)
    const dir = d === out.count ? 1 : d === -out.count ? -1 : 0
    return dir !== 0 && values.every((v) => v.place(s + 1) - v.place(s) === dir * v.count) ? dir : 0
  }
  const segments: StepSegment[] = []
  for (let a = 0; a < steps; ) {
    let b = a
    const dir = a + 1 < steps ? direction(a) : 0
    while (dir !== 0 && b + 1 < steps && direction(b) === dir) b++
    const n = b - a + 1
    const first = dir < 0 ? b : a
    const view = (v: ValueInfo): ValueInfo => ({
      ...v,
      dims: [v.rows * n, v.last],
      count: v.count * n,
      rows: v.rows * n,
      place: fixed(v.place(first)),
    })
    segments.push(concatSegment(args.map(view), view(out)))
    a = b + 1
  }
  return segments
}

/**
 * The memory of a scan's stacked per-step outputs, a region each, except the two outputs of a
 * `both` carry: they share one run of T + 1 slices holding every version of the carry in step
 * order, the `read` output one slice behind the `written` one (ahead, in a reverse scan, whose
 * step s fills slice T − 1 − s). Overlapping is safe: nothing writes a scan's outputs after it.
 */
function stackedOutputs(
  places: LoopPlaces,
  outTypes: readonly ValueType[],
  carries: number,
  cx: LowerContext,
  reverse: boolean,
): ValueInfo[] {
  const start = new Map<number, number>()
  for (const place of places.carries) {
    if (place.kind !== 'both') continue
    const slice = valueInfo(outTypes[place.written]!, cx.sizes, fixed(0)).count / cx.sizes.steps
    const region = cx.layout.take((cx.sizes.steps + 1) * slice)
    start.set(place.written, reverse ? region : region + slice)
    start.set(place.read, reverse ? region + slice : region)
  }
  return outTypes.slice(carries).map((t, j) => {
    const info = valueInfo(t, cx.sizes, fixed(0))
    return { ...info, place: fixed(start.get(carries + j) ?? cx.layout.take(info.count)) }
  })
}

/**
 * A scan as one loop: step s reads version s of every carry and writes version s + 1
 * (`carryVersions`), per-step outputs land in their slice of the stacked output, concats of
 * values that outlive the loop run after it, and nothing is read back between steps.
 */
function lowerScan(
  loop: PlannedLoop,
  args: readonly ValueInfo[],
  outTypes: readonly ValueType[],
  env: Map<string, ValueInfo>,
  cx: LowerContext,
): ProgramStep[] {
  const { node } = loop
  const { body, carries, sequences, reverse } = node.attrs
  const bodyTypes = loop.body.types
  const steps = cx.sizes.steps
  const time = (s: number) => (reverse ? steps - 1 - s : s)
  const carryInfo = args.slice(0, carries)
  const places = loopPlaces(node)
  const ys = stackedOutputs(places, outTypes, carries, cx, reverse)
  const outputSlice = (o: number, s: number) => {
    const y = ys[o - carries]!
    return y.place(0) + time(s) * (y.count / steps)
  }
  const version = carryVersions(places, carryInfo, outputSlice, steps, cx.layout)
  const target = (o: number): Place => (o < carries ? (s) => version(o, s + 1) : (s) => outputSlice(o, s))

  const bodyEnv = new Map<string, ValueInfo>()
  body.inputs.forEach((id, i) => {
    const t = bodyTypes.of(id)
    const outer = args[i]!
    const place: Place =
      i < carries
        ? (s) => version(i, s)
        : i < carries + sequences
          ? (s) => outer.place(0) + time(s) * (outer.count / steps)
          : outer.place
    bodyEnv.set(id, valueInfo(t, cx.sizes, place))
  })
  // Body nodes that are outputs write straight into their carry version or output slice.
  const bodyCx: LowerContext = {
    ...cx,
    inLoop: true,
    hoisted: places.hoisted,
    place: (id, count) => {
      const k = places.direct.get(id)
      return k === undefined ? cx.place(id, count) : target(k)
    },
  }
  const bodySteps = lowerGraph(loop.body, bodyEnv, bodyCx) as KernelStep[]
  const copies = segmentSteps(
    'copy',
    places.copies.map((k) => {
      const src = bodyEnv.get(body.outputs[k]!.ref)!
      return copySegment(src.place, target(k), src.count)
    }),
  )
  const after = segmentSteps(
    'copy',
    [...places.hoisted].flatMap((id) => {
      const n = body.nodes.find((m) => m.id === id)!
      return hoistedConcat(
        n.inputs.map((r) => bodyEnv.get(r)!),
        bodyEnv.get(id)!,
        steps,
      )
    }),
  )
  carryInfo.forEach((c, k) => {
    env.set(`${node.id}${k === 0 ? '' : `:${k}`}`, { ...c, place: fixed(version(k, steps)) })
  })
  ys.forEach((y, j) => env.set(`${node.id}:${carries + j}`, y))
  return [
    ...segmentSteps('copy', initialCopies(places, carryInfo, version)),
    { kind: 'loop', steps, body: [...bodySteps, ...copies] },
    ...after,
  ]
}
