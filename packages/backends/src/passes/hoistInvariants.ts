import { type Graph, isRows, type Node, ops, type ValueType, verify } from '@cellgraph/graph'
import { type Attrs, everyLevel, idAllocator, node, parseRef, type ref, renameRefs } from './edit.js'

type Ref = ReturnType<typeof ref>

/**
 * Can this body node run once over all time steps instead of once per step? Row-wise ops are
 * layout-polymorphic in the IR (the same op over [B,F] or [T,B,F] rows), and tensor ops over
 * tensors are step-independent; ops that sum across rows (sumRows, outerSum, ...) are not.
 */
const movable = (n: Node, inputTypes: readonly ValueType[], out: ValueType): boolean =>
  ops[n.op].kind !== 'leaf' && n.op !== 'scan' && !(out.layout === 'tensor' && inputTypes.some(isRows))

/**
 * Loop-invariant code motion out of `scan` (pass 2): every body node that depends only on the
 * per-step sequence inputs and the loop invariants moves out of the time loop. Row values run
 * once over all T·B rows as sequence-layout ops and feed the scan as new sequences; tensor values
 * run once and feed it as new loop invariants.
 */
export function hoistInvariants(graph: Graph): Graph {
  return everyLevel(graph, (g) => {
    if (!g.nodes.some((n) => n.op === 'scan')) return g
    const fresh = idAllocator(g)
    const nodes: Node[] = []
    for (const n of g.nodes) {
      if (n.op === 'scan') nodes.push(...hoistFrom(n, fresh))
      else nodes.push(n)
    }
    return { ...g, nodes }
  })
}

function hoistFrom(scan: Node, fresh: (base: string) => string): Node[] {
  const a = scan.attrs as Attrs<'scan'>
  const body = a.body
  const types = verify(body)
  const position = new Map(body.inputs.map((id, i) => [id, i]))
  const outer = new Map<string, Ref>() // body node id -> outer ref, for leaves outside the carries and moved nodes
  body.inputs.forEach((id, i) => {
    if (i >= a.carries) outer.set(id, scan.inputs[i]!)
  })
  const moved: Node[] = []
  const constants = new Map<string, Node>()
  for (const m of body.nodes) {
    if (position.has(m.id)) continue
    if (m.op === 'constant') {
      constants.set(m.id, m)
      continue
    }
    const inputs = m.inputs.map((r) => parseRef(r).node)
    const available = inputs.every((id) => outer.has(id) || constants.has(id))
    if (
      !available ||
      !movable(
        m,
        m.inputs.map((r) => types.of(r)),
        types.of(m.id),
      )
    )
      continue
    const mapped = m.inputs.map((r) => {
      const id = parseRef(r).node
      const c = constants.get(id)
      if (c && !outer.has(id)) {
        const copy = node(fresh(`${scan.id}.${c.id}`), 'constant', [], c.attrs as Attrs<'constant'>)
        moved.push(copy)
        outer.set(id, copy.id)
      }
      return outer.get(id)!
    })
    const id = fresh(`${scan.id}.${m.id}`)
    moved.push({ ...m, id, inputs: mapped })
    outer.set(m.id, id)
  }
  if (!moved.some((m) => m.op !== 'constant')) return [scan]
  const movedIds = new Set(
    body.nodes.filter((m) => !position.has(m.id) && m.op !== 'constant' && outer.has(m.id)).map((m) => m.id),
  )
  const remaining = body.nodes.filter((m) => !movedIds.has(m.id))
  const needed = new Set<string>()
  for (const m of remaining)
    for (const r of m.inputs) if (movedIds.has(parseRef(r).node)) needed.add(parseRef(r).node)
  for (const o of body.outputs) if (movedIds.has(parseRef(o.ref).node)) needed.add(parseRef(o.ref).node)
  const bodyIds = idAllocator(body)
  const leafFor = new Map<Ref, Ref>()
  const newSeqs: { leaf: Node; outer: Ref }[] = []
  const newInvs: { leaf: Node; outer: Ref }[] = []
  for (const id of body.nodes.map((m) => m.id).filter((x) => needed.has(x))) {
    const t = types.of(id)
    const leafId = bodyIds(`${id}.hoisted`)
    const leaf = node(leafId, 'input', [], { name: leafId, type: t })
    leafFor.set(id, leafId)
    ;(isRows(t) ? newSeqs : newInvs).push({ leaf, outer: outer.get(id)! })
  }
  const renamed = renameRefs(remaining, body.outputs, leafFor)
  const seqEnd = a.carries + a.sequences
  const newBody: Graph = {
    inputs: [
      ...body.inputs.slice(0, seqEnd),
      ...newSeqs.map((s) => s.leaf.id),
      ...body.inputs.slice(seqEnd),
      ...newInvs.map((s) => s.leaf.id),
    ],
    nodes: [...newSeqs.map((s) => s.leaf), ...newInvs.map((s) => s.leaf), ...renamed.nodes],
    outputs: renamed.outputs,
  }
  const inputs = [
    ...scan.inputs.slice(0, seqEnd),
    ...newSeqs.map((s) => s.outer),
    ...scan.inputs.slice(seqEnd),
    ...newInvs.map((s) => s.outer),
  ]
  const attrs = { ...a, body: newBody, sequences: a.sequences + newSeqs.length }
  return [...moved, { ...scan, inputs, attrs } as Node]
}
