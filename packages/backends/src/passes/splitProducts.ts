import { type Graph, type GraphTypes, type Node, nodeMap, sameType, verify } from '@cellgraph/graph'
import { type Attrs, everyLevel, idAllocator, node, parseRef, useCounts } from './edit.js'

/**
 * Splits matrix products over concatenations into sums of per-part products (pass 1):
 *
 *   concat(a₁..aₙ)·Wᵀ  →  Σᵢ aᵢ·W[:, colsᵢ]ᵀ      (a layer over [h, x] becomes W_h·h + W_x·x)
 *   (Σᵢ aᵢ·Wᵢ)[:, s:e] →  Σᵢ aᵢ·Wᵢ[:, s:e]         (the backward twin: a slice of Σ δ·W)
 *
 * The weight blocks are column slices of the weight, which depend only on loop invariants, so the
 * hoisting pass moves them out of any time loop; the parts that read only the input sequence can
 * then be hoisted as one product over all time steps.
 */
export function splitProducts(graph: Graph): Graph {
  return everyLevel(graph, (g) => {
    const types = verify(g)
    const byId = nodeMap(g)
    const fresh = idAllocator(g)
    const uses = useCounts(g)
    const nodes: Node[] = []
    for (const n of g.nodes) {
      const [a, w] = n.inputs
      const producer = a === undefined ? undefined : byId.get(parseRef(a).node)
      if (
        n.op === 'matmul' &&
        n.attrs.transposeB &&
        producer?.op === 'concat' &&
        producer.inputs.length > 1 &&
        parseRef(a!).output === 0
      ) {
        let start = 0
        let sum: string | undefined
        producer.inputs.forEach((part, k) => {
          const size = types.of(part).shape[0]!
          const block = fresh(`${n.id}.w${k}`)
          nodes.push(node(block, 'slice', [w!], { start, end: start + size }))
          const product = fresh(`${n.id}.p${k}`)
          nodes.push(node(product, 'matmul', [part, block], { transposeB: true }))
          start += size
          if (sum === undefined) sum = product
          else {
            const id = k === producer.inputs.length - 1 ? n.id : fresh(`${n.id}.sum`)
            nodes.push(node(id, 'add', [sum, product], {}))
            sum = id
          }
        })
        continue
      }
      if (n.op === 'slice' && producer) {
        const pushed = pushSlice(a!, n.attrs, n.id, { byId, types, uses, fresh, nodes })
        if (pushed) continue
      }
      nodes.push(n)
    }
    return { ...g, nodes }
  })
}

interface SliceContext {
  readonly byId: ReadonlyMap<string, Node>
  readonly types: GraphTypes
  readonly uses: ReadonlyMap<string, number>
  readonly fresh: (base: string) => string
  readonly nodes: Node[]
}

/**
 * Rewrites slice(x) where x is a sum of products a·W (read only here) into the sum of a·W[:, s:e],
 * appending the new nodes; the last one gets `id`. Returns false, appending nothing, otherwise.
 */
function pushSlice(x: string, range: Attrs<'slice'>, id: string, ctx: SliceContext): boolean {
  const plan: Node[] = []
  const build = (r: string, target: string): boolean => {
    const n = ctx.byId.get(parseRef(r).node)
    if (!n || parseRef(r).output !== 0 || ctx.uses.get(n.id) !== 1) return false
    if (n.op === 'matmul' && !n.attrs.transposeB) {
      if (ctx.types.of(n.inputs[1]!).layout !== 'tensor') return false
      const block = ctx.fresh(`${target}.w`)
      plan.push(node(block, 'slice', [n.inputs[1]!], range))
      plan.push(node(target, 'matmul', [n.inputs[0]!, block], { transposeB: false }))
      return true
    }
    if (n.op === 'add' && n.inputs.every((t) => sameType(ctx.types.of(t), ctx.types.of(n.id)))) {
      const [left, right] = [ctx.fresh(`${target}.l`), ctx.fresh(`${target}.r`)]
      if (!build(n.inputs[0]!, left) || !build(n.inputs[1]!, right)) return false
      plan.push(node(target, 'add', [left, right], {}))
      return true
    }
    return false
  }
  if (!build(x, id)) return false
  ctx.nodes.push(...plan)
  return true
}
