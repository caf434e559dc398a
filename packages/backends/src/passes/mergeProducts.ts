import { type Graph, type GraphTypes, type Node, nodeMap, type Ref, verify } from '@cellgraph/graph'
import { type Attrs, idAllocator, leafName, node, parseRef, useCounts } from './edit.js'
import type { PackBlock, Program } from './program.js'

/** Finds the column block of a top-level leaf that a weight ref reads, if it is one. */
type Resolve = (r: Ref) => PackBlock | undefined
/** Makes a packed weight from blocks and returns its ref at the requesting level. */
type RequestPack = (blocks: readonly PackBlock[]) => Ref

/**
 * Merges matrix products into wide ones (pass 3):
 *
 *   a·W₁ᵀ, a·W₂ᵀ, ...      →  a·[W₁; W₂; ...]ᵀ, sliced   (layers reading the same input: the four
 *                                                      LSTM gates become one [4H × H] product)
 *   a₁·W₁ + a₂·W₂ + ...    →  [a₁, a₂, ...]·[W₁; W₂; ...]  (the backward twin: one product for δh)
 *
 * The stacked weights are packs of column blocks of parameters, assembled once per run before the
 * graph. Works on the top graph and on the bodies of its scans.
 */
export function mergeProducts(program: Program): Program {
  const top = program.graph
  const topIds = idAllocator(top)
  const packs = [...program.packs]
  const packLeaves: Node[] = []
  const topById = nodeMap(top)
  const topResolve: Resolve = (r) => {
    const n = topById.get(parseRef(r).node)
    if (!n) return undefined
    if (top.inputs.includes(n.id) && n.op !== 'state') {
      const shape = n.op === 'param' ? n.attrs.shape : (n.attrs as Attrs<'input'>).type.shape
      const t = n.op === 'param' ? 'tensor' : (n.attrs as Attrs<'input'>).type.layout
      if (t !== 'tensor' || shape.length !== 2 || packs.some((p) => p.leaf === n.id)) return undefined
      return { source: leafName(n), rows: shape[0]!, sourceCols: shape[1]!, start: 0, end: shape[1]! }
    }
    if (n.op === 'slice') {
      const whole = topResolve(n.inputs[0]!)
      const { start, end } = n.attrs
      return whole && whole.start === 0 && whole.end === whole.sourceCols
        ? { ...whole, start, end }
        : undefined
    }
    return undefined
  }
  const topPack: RequestPack = (blocks) => {
    const id = topIds('packed')
    const rows = blocks.reduce((s, b) => s + b.rows, 0)
    packs.push({ leaf: id, blocks })
    packLeaves.push(
      node(id, 'input', [], {
        name: id,
        type: { layout: 'tensor', shape: [rows, blocks[0]!.end - blocks[0]!.start] },
      }),
    )
    return id
  }
  const nodes = mergeLevel(top, topResolve, topPack).map((n) =>
    n.op === 'scan' ? mergeInScan(n, topResolve, topPack) : n,
  )
  const graph: Graph = {
    inputs: [...top.inputs, ...packLeaves.map((n) => n.id)],
    nodes: [...packLeaves, ...nodes],
    outputs: top.outputs,
  }
  return { graph, packs }
}

function mergeInScan(scan: Node, resolveOuter: Resolve, packOuter: RequestPack): Node {
  const a = scan.attrs as Attrs<'scan'>
  const body = a.body
  const invariantsFrom = a.carries + a.sequences
  const position = new Map(body.inputs.map((id, i) => [id, i]))
  const ids = idAllocator(body)
  const newLeaves: Node[] = []
  const newOuter: Ref[] = []
  const resolve: Resolve = (r) => {
    const i = position.get(parseRef(r).node)
    return i !== undefined && i >= invariantsFrom ? resolveOuter(scan.inputs[i]!) : undefined
  }
  const request: RequestPack = (blocks) => {
    const outer = packOuter(blocks)
    const id = ids('packed')
    const rows = blocks.reduce((s, b) => s + b.rows, 0)
    newLeaves.push(
      node(id, 'input', [], {
        name: id,
        type: { layout: 'tensor', shape: [rows, blocks[0]!.end - blocks[0]!.start] },
      }),
    )
    newOuter.push(outer)
    return id
  }
  const nodes = mergeLevel(body, resolve, request)
  if (newLeaves.length === 0) return scan
  const newBody: Graph = {
    inputs: [...body.inputs, ...newLeaves.map((n) => n.id)],
    nodes: [...newLeaves, ...nodes],
    outputs: body.outputs,
  }
  return { ...scan, inputs: [...scan.inputs, ...newOuter], attrs: { ...a, body: newBody } } as Node
}

function mergeLevel(g: Graph, resolve: Resolve, request: RequestPack): Node[] {
  const types = verify(g) // merging same-input products keeps every existing id's type
  return mergeSums(mergeSameInput(g, resolve, request), types, resolve, request)
}

/** Products a·Wᵢᵀ over the same a become one product with the stacked weight, then slices. */
function mergeSameInput(g: Graph, resolve: Resolve, request: RequestPack): Graph {
  const groups = new Map<Ref, { n: Node; block: PackBlock }[]>()
  for (const n of g.nodes) {
    if (n.op !== 'matmul' || !n.attrs.transposeB) continue
    const block = resolve(n.inputs[1]!)
    if (!block) continue
    groups.set(n.inputs[0]!, [...(groups.get(n.inputs[0]!) ?? []), { n, block }])
  }
  const fresh = idAllocator(g)
  const replaced = new Map<string, Node[]>()
  for (const [a, members] of groups) {
    if (members.length < 2) continue
    const packed = request(members.map((m) => m.block))
    const merged = fresh(`${members[0]!.n.id}.merged`)
    replaced.set(members[0]!.n.id, [node(merged, 'matmul', [a, packed], { transposeB: true })])
    let start = 0
    for (const { n, block } of members) {
      const slice = node(n.id, 'slice', [merged], { start, end: start + block.rows })
      replaced.set(n.id, [...(replaced.get(n.id) ?? []), slice])
      start += block.rows
    }
  }
  if (replaced.size === 0) return g
  return { ...g, nodes: g.nodes.flatMap((n) => replaced.get(n.id) ?? [n]) }
}

/** Sums of products aᵢ·Wᵢ (each read only by the sum) become one product over concatenated inputs. */
function mergeSums(g: Graph, types: GraphTypes, resolve: Resolve, request: RequestPack): Node[] {
  const byId = nodeMap(g)
  const uses = useCounts(g)
  const readByAdd = new Set(
    g.nodes.filter((n) => n.op === 'add').flatMap((n) => n.inputs.map((r) => parseRef(r).node)),
  )
  const fresh = idAllocator(g)
  const out: Node[] = []
  for (const n of g.nodes) {
    const isRoot = n.op === 'add' && !(readByAdd.has(n.id) && uses.get(n.id) === 1)
    if (!isRoot) {
      out.push(n)
      continue
    }
    const products: { n: Node; block: PackBlock }[] = []
    const rest: Ref[] = []
    const walk = (r: Ref, root: boolean) => {
      const m = byId.get(parseRef(r).node)!
      const single = parseRef(r).output === 0 && uses.get(m.id) === 1
      if (
        m.op === 'add' &&
        (root || single) &&
        m.inputs.every(
          (x) =>
            types.of(x).shape[0] === types.of(m.id).shape[0] && types.of(x).layout === types.of(m.id).layout,
        )
      )
        m.inputs.forEach((x) => walk(x, false))
      else {
        const block = m.op === 'matmul' && single && !m.attrs.transposeB ? resolve(m.inputs[1]!) : undefined
        if (block && types.of(m.inputs[0]!).layout !== 'tensor') products.push({ n: m, block })
        else rest.push(r)
      }
    }
    walk(n.id, true)
    const width = products[0]?.block
    const fits = products.filter((p) => p.block.end - p.block.start === width!.end - width!.start)
    if (fits.length < 2) {
      out.push(n)
      continue
    }
    rest.push(...products.filter((p) => !fits.includes(p)).map((p) => p.n.id))
    const joined = fresh(`${n.id}.inputs`)
    const merged = fresh(`${n.id}.merged`)
    out.push(
      node(
        joined,
        'concat',
        fits.map((p) => p.n.inputs[0]!),
        {},
      ),
    )
    out.push(node(merged, 'matmul', [joined, request(fits.map((p) => p.block))], { transposeB: false }))
    let sum = merged
    rest.forEach((r, k) => {
      const id = k === rest.length - 1 ? n.id : fresh(`${n.id}.sum`)
      out.push(node(id, 'add', [sum, r], {}))
      sum = id
    })
    if (rest.length === 0) out[out.length - 1] = { ...out[out.length - 1]!, id: n.id }
  }
  return out
}
