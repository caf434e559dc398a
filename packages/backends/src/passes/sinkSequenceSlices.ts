import { type Graph, type GraphTypes, type Node, verify } from '@cellgraph/graph'
import { type Attrs, everyLevel, idAllocator, node, parseRef } from './edit.js'

/**
 * A scan sequence that is a feature slice of a wider sequence (the merged input product, sliced
 * per gate) is read inside the loop as a slice of the wide sequence instead: the fused kernel reads
 * it strided, and the T·B rows are never copied out per gate.
 */
export function sinkSequenceSlices(graph: Graph): Graph {
  return everyLevel(graph, (g) => {
    if (!g.nodes.some((n) => n.op === 'scan')) return g
    const types = verify(g)
    const byId = new Map(g.nodes.map((n) => [n.id, n]))
    return { ...g, nodes: g.nodes.map((n) => (n.op === 'scan' ? sinkInto(n, byId, types) : n)) }
  })
}

function sinkInto(scan: Node, outer: ReadonlyMap<string, Node>, types: GraphTypes): Node {
  const a = scan.attrs as Attrs<'scan'>
  const { body, carries, sequences } = a
  const seqEnd = carries + sequences
  const ids = idAllocator(body)
  const wide = new Map<string, Node>() // wide outer sequence ref -> its new body leaf
  const slices = new Map<string, Node>() // replaced body leaf id -> the slice node that replaces it
  for (let i = carries; i < seqEnd; i++) {
    const src = outer.get(parseRef(scan.inputs[i]!).node)
    if (src?.op !== 'slice') continue
    const from = src.inputs[0]!
    let leaf = wide.get(from)
    if (!leaf) {
      const id = ids(`${src.id}.wide`)
      leaf = node(id, 'input', [], { name: id, type: { layout: 'batch', shape: [...types.of(from).shape] } })
      wide.set(from, leaf)
    }
    slices.set(body.inputs[i]!, node(body.inputs[i]!, 'slice', [leaf.id], src.attrs as Attrs<'slice'>))
  }
  if (slices.size === 0) return scan
  const keep = (k: number) => !(k >= carries && k < seqEnd && slices.has(body.inputs[k]!))
  const keptIdx = body.inputs.map((_, k) => k).filter(keep)
  const keptSeqs = keptIdx.filter((k) => k >= carries && k < seqEnd).length
  const splice = <T>(xs: readonly T[], extra: readonly T[]) => {
    const kept = keptIdx.map((k) => xs[k]!)
    return [...kept.slice(0, carries + keptSeqs), ...extra, ...kept.slice(carries + keptSeqs)]
  }
  const leaves = [...wide.values()]
  const bodyInputs = splice(
    body.inputs,
    leaves.map((l) => l.id),
  )
  const others = body.nodes.filter((n) => !slices.has(n.id))
  const firstNonLeaf = others.findIndex((n) => !bodyInputs.includes(n.id))
  const at = firstNonLeaf < 0 ? others.length : firstNonLeaf
  const newBody: Graph = {
    inputs: bodyInputs,
    nodes: [...leaves, ...others.slice(0, at), ...slices.values(), ...others.slice(at)],
    outputs: body.outputs,
  }
  const inputs = splice(scan.inputs, [...wide.keys()])
  return { ...scan, inputs, attrs: { ...a, body: newBody, sequences: keptSeqs + wide.size } } as Node
}
