import {
  elementCount,
  type Graph,
  isRows,
  type Node,
  nodeMap,
  type OpDef,
  ops,
  type PrimitivePointwiseOpName,
  parseRef,
  type Ref,
  type Term,
  type ValueType,
  verify,
} from '@cellgraph/graph'
import type { Program } from '../passes/program.js'
import { type FusedKernel, fusePointwise } from './fusion.js'
import type {
  Access,
  Arg,
  FusedStep,
  Instruction,
  KernelPlan,
  LevelPlan,
  Operand,
  Step,
} from './kernelPlan.js'

/** The width of a value's rows: its features (row layouts) or its last dimension (tensors). */
export const featuresOf = (t: ValueType): number =>
  t.layout === 'tensor' ? (t.shape.at(-1) ?? 1) : t.shape[0]!

/** How an operand of type `operand` broadcasts over a kernel's iteration space, as an address. */
export function accessOf(operand: ValueType, space: ValueType): Access {
  const f = featuresOf(space)
  if (isRows(operand))
    return operand.shape[0] === f ? { offset: 0, row: f, col: 1 } : { offset: 0, row: 1, col: 0 }
  if (elementCount(operand.shape) === 1) return { offset: 0, row: 0, col: 0 }
  return isRows(space) ? { offset: 0, row: 0, col: 1 } : { offset: 0, row: f, col: 1 }
}

const leaves = new Set(['input', 'state', 'param', 'constant'])

/** Plans a program once, for every size: its packs, then its top level's kernels. */
export function planProgram(program: Program): KernelPlan {
  return { packs: program.packs, root: planLevel(program.graph) }
}

/**
 * The kernels of one graph level: every fused kernel where its last member stands, every other
 * node that is not a leaf as a call, every scan as a loop over its body's plan.
 */
export function planLevel(graph: Graph): LevelPlan {
  const types = verify(graph)
  const kernelOf = new Map<string, FusedKernel>()
  for (const k of fusePointwise(graph, types)) for (const m of k.members) kernelOf.set(m.id, k)
  const byId = nodeMap(graph)
  const steps: Step[] = []
  for (const n of graph.nodes) {
    if (leaves.has(n.op)) continue
    const kernel = kernelOf.get(n.id)
    if (kernel) {
      if (kernel.members.at(-1) === n) steps.push(fusedStep(kernel, (r) => types.of(r), byId))
    } else if (n.op === 'scan') {
      const node = n as Node<'scan'>
      steps.push({ kind: 'loop', node, body: planLevel(node.attrs.body) })
    } else steps.push({ kind: 'call', node: n })
  }
  return { graph, types, steps }
}

/**
 * A fused kernel as expressions: each pointwise member an instruction over operands (values read
 * from memory, deduplicated), literals and earlier instructions. A broadcast forwards its input;
 * a slice of a value in memory is a strided operand.
 */
function fusedStep(
  kernel: FusedKernel,
  typeOf: (r: Ref) => ValueType,
  byId: ReadonlyMap<string, Node>,
): FusedStep {
  const operands: Operand[] = []
  const operandIndex = new Map<string, number>()
  const body: Instruction[] = []
  const values = new Map<string, Arg>()
  const read = (ref: Ref, access: Access): Arg => {
    const key = `${ref}|${access.offset}|${access.row}|${access.col}`
    let index = operandIndex.get(key)
    if (index === undefined) {
      index = operands.push({ ref, access }) - 1
      operandIndex.set(key, index)
    }
    return { kind: 'operand', index }
  }
  const arg = (r: Ref): Arg => {
    const id = parseRef(r).node
    const local = values.get(id)
    if (local) return local
    const source = byId.get(id)
    if (source?.op === 'constant') return { kind: 'constant', value: source.attrs.value }
    return read(r, accessOf(typeOf(r), kernel.type))
  }
  // a primitive op is one instruction; a composite op, its composition's
  const instruction = (m: Node, args: readonly Arg[]): Arg => {
    const composition = (ops[m.op] as OpDef).composition
    const term = composition
      ? composition(m.attrs as never)
      : { op: m.op as PrimitivePointwiseOpName, args: args.map((_, k) => ({ input: k })) }
    const expand = (t: Term): Arg => {
      if ('input' in t) return args[t.input]!
      if ('constant' in t) return { kind: 'constant', value: t.constant }
      const index = body.push({ op: t.op, args: t.args.map(expand), node: m }) - 1
      return { kind: 'local', index }
    }
    return expand(term)
  }
  for (const m of kernel.members) {
    const [first] = m.inputs as [Ref]
    if (m.op === 'broadcastLike' || (m.op === 'slice' && values.has(parseRef(first).node)))
      values.set(m.id, arg(first))
    else if (m.op === 'slice') {
      const { start } = m.attrs
      values.set(m.id, read(first, { offset: start, row: featuresOf(typeOf(first)), col: 1 }))
    } else values.set(m.id, instruction(m, m.inputs.map(arg)))
  }
  const stores = [...kernel.stored].map((id) => ({ id, value: values.get(id)! }))
  return { kind: 'fused', type: kernel.type, members: kernel.members, operands, body, stores }
}
