import { type Graph, type Node, nodeMap, verify } from '@cellgraph/graph'
import { type Attrs, everyLevel, idAllocator, node, parseRef } from './edit.js'

/**
 * Splits matrix products over concatenations into sums of per-part products (pass 1):
 *
 *   concat(a₁..aₙ)·Wᵀ  →  Σᵢ aᵢ·W[:, colsᵢ]ᵀ      (a layer over [h, x] becomes W_h·h + W_x·x)
 *   (a·W)[:, s:e]      →  a·W[:, s:e]             (the backward twin: a slice of δ·W)
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
    const nodes: Node[] = []
    for (const n of g.nodes) {
      const [a, w] = n.inputs
      const producer = a === undefined ? undefined : byId.get(parseRef(a).node)
      if (
        n.op === 'matmul' &&
        (n.attrs as Attrs<'matmul'>).transposeB &&
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
      const product = producer && n.op === 'slice' ? producer : undefined
      if (
        product?.op === 'matmul' &&
        !(product.attrs as Attrs<'matmul'>).transposeB &&
        types.of(product.inputs[1]!).layout === 'tensor'
      ) {
        const block = fresh(`${n.id}.w`)
        nodes.push(node(block, 'slice', [product.inputs[1]!], n.attrs as Attrs<'slice'>))
        nodes.push(node(n.id, 'matmul', [product.inputs[0]!, block], { transposeB: false }))
        continue
      }
      nodes.push(n)
    }
    return { ...g, nodes }
  })
}
