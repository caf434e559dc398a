import { type Graph, isRows, type Node, nodeMap, sameType, verify } from '@cellgraph/graph'
import { type Attrs, everyLevel, idAllocator, node, parseRef, ref, useCounts } from './edit.js'
import { remapScanOutputs } from './scanOutputs.js'

/** Reductions over rows: summing them per step and then over steps equals one reduction over all T·B rows. */
const rowReductions = new Set(['outerSum', 'sumRows', 'sumLike'])

/**
 * Defers weight gradients out of the time loop (pass 4). A carry that only accumulates row
 * reductions — acc' = acc + outerSum(δ_t, x_t) + sumRows(δ_t) ... — is removed from the scan: the
 * rows it reduces become per-step outputs, and after the loop one reduction over the whole
 * sequences (one large product for outerSum) is added to the initial value. Only the recurrent
 * work stays inside the loop.
 */
export function deferRowReductions(graph: Graph): Graph {
  return everyLevel(graph, (g) => {
    let current = g
    // Scans already found to have nothing to defer (an edit leaves other nodes as they were), so
    // each is verified once, not once per edit: a stack has a scan per layer.
    const settled = new WeakSet<Node>()
    for (;;) {
      // All deferrable carries of a scan go in one edit: one at a time re-verified the body and
      // re-walked the graph per carry, quadratic in the layers of a stack.
      let found: { scan: Node; accs: Accumulation[] } | undefined
      for (const n of current.nodes) {
        if (n.op !== 'scan' || settled.has(n)) continue
        const accs = deferrableCarries(n)
        if (accs.length === 0) settled.add(n)
        if (accs.length > 0) {
          found = { scan: n, accs }
          break
        }
      }
      if (!found) return current
      current = deferCarries(current, found.scan, found.accs)
    }
  })
}

interface Accumulation {
  readonly carry: number
  /** The add nodes of the accumulation tree, and its reduction terms. */
  readonly adds: readonly Node[]
  readonly terms: readonly Node[]
}

/** Every carry of the scan that only accumulates row reductions (their trees are disjoint). */
function deferrableCarries(scan: Node): Accumulation[] {
  const { body, carries } = scan.attrs as Attrs<'scan'>
  const byId = nodeMap(body)
  const uses = useCounts(body)
  const types = verify(body)
  const found: Accumulation[] = []
  for (let k = 0; k < carries; k++) {
    const leaf = body.inputs[k]!
    const top = byId.get(parseRef(body.outputs[k]!.ref).node)!
    if (top.op !== 'add' || uses.get(leaf) !== 1 || uses.get(top.id) !== 1) continue
    const adds: Node[] = []
    const terms: Node[] = []
    let seenLeaf = 0
    let ok = true
    const walk = (r: string, root: boolean) => {
      const n = byId.get(parseRef(r).node)!
      if (n.id === leaf) seenLeaf++
      else if (n.op === 'add' && (root || uses.get(n.id) === 1)) {
        adds.push(n)
        n.inputs.forEach((x) => walk(x, false))
      } else if (
        rowReductions.has(n.op) &&
        n.inputs.some((x) => isRows(types.of(x))) &&
        types.of(n.id).layout === 'tensor' &&
        (n.op !== 'sumLike' || sameType(types.of(n.id), types.of(leaf)))
      )
        terms.push(n)
      else ok = false
    }
    walk(top.id, true)
    if (ok && seenLeaf === 1 && terms.length > 0) found.push({ carry: k, adds, terms })
  }
  return found
}

function deferCarries(g: Graph, scan: Node, accs: readonly Accumulation[]): Graph {
  const a = scan.attrs as Attrs<'scan'>
  const { body, carries, sequences } = a
  const types = verify(body)
  const fresh = idAllocator(g)
  const deferred = new Set(accs.map((acc) => acc.carry))
  const kept = carries - deferred.size
  const stepOutputs = body.outputs.length - carries
  // Row arguments of the reductions become per-step outputs (sequence leaves are read outside directly).
  const seqOuter = new Map(
    body.inputs.slice(carries, carries + sequences).map((id, i) => [id, scan.inputs[carries + i]!]),
  )
  const existingOutput = new Map<string, number>()
  body.outputs.forEach((out, j) => {
    if (j >= carries && !existingOutput.has(out.ref)) existingOutput.set(out.ref, j)
  })
  const newOutputs: { name: string; ref: string }[] = []
  const outerOf = new Map<string, string>()
  const outerRow = (r: string): string => {
    const outer = seqOuter.get(parseRef(r).node)
    if (outer) return outer
    const existing = existingOutput.get(r)
    if (existing !== undefined) return ref(scan.id, existing - deferred.size)
    let o = outerOf.get(r)
    if (!o) {
      o = ref(scan.id, kept + stepOutputs + newOutputs.length)
      newOutputs.push({ name: `deferred.${parseRef(r).node}`, ref: r })
      outerOf.set(r, o)
    }
    return o
  }
  // Each carry's nodes; the last carry's come first after the scan, as when deferred one by one.
  const afterByCarry: Node[][] = []
  const totals = new Map<number, string>()
  for (const acc of accs) {
    const after: Node[] = []
    afterByCarry.unshift(after)
    const init = scan.inputs[acc.carry]!
    let total = init
    for (const term of acc.terms) {
      const inputs = term.inputs.map((x) => (isRows(types.of(x)) ? outerRow(x) : init))
      const id = fresh(`${scan.id}.${term.id}`)
      after.push(node(id, term.op, inputs, term.attrs as never))
      const sum = fresh(`${scan.id}.${body.outputs[acc.carry]!.name}`)
      after.push(node(sum, 'add', [total, id], {}))
      total = sum
    }
    totals.set(acc.carry, total)
  }
  const removed = new Set(accs.flatMap((acc) => [body.inputs[acc.carry]!, ...acc.adds.map((n) => n.id)]))
  const newBody: Graph = {
    inputs: body.inputs.filter((_, k) => !deferred.has(k)),
    nodes: body.nodes.filter((n) => !removed.has(n.id)),
    outputs: [...body.outputs.filter((_, k) => !deferred.has(k)), ...newOutputs],
  }
  const newScan = {
    ...scan,
    inputs: scan.inputs.filter((_, k) => !deferred.has(k)),
    attrs: { ...a, body: newBody, carries: kept },
  } as Node
  // Each old output's new place: a deferred carry's total, or its index less the carries before it.
  let before = 0
  const remap = body.outputs.map((_, k) => {
    if (deferred.has(k)) {
      before++
      return totals.get(k)!
    }
    return k - before
  })
  const at = g.nodes.indexOf(scan)
  const others = [...g.nodes.slice(0, at), ...g.nodes.slice(at + 1)]
  const fixed = remapScanOutputs(others, g.outputs, scan.id, remap)
  const nodes = [...fixed.nodes.slice(0, at), newScan, ...afterByCarry.flat(), ...fixed.nodes.slice(at)]
  return { ...g, nodes, outputs: fixed.outputs }
}
