import type { Graph, Node } from '@cellgraph/graph'
import { everyLevel, idAllocator, node } from './edit.js'

/**
 * layer(x, W, b, b2) becomes activation(matmul(x, Wᵀ) + b + b2): one product and pointwise ops,
 * so the later passes see every matrix product as a `matmul` and every bias and activation as
 * pointwise work to fuse. The last node of the chain keeps the layer's id, so readers are unchanged.
 */
export function lowerLayers(graph: Graph): Graph {
  return everyLevel(graph, (g) => {
    const fresh = idAllocator(g)
    const nodes: Node[] = []
    for (const n of g.nodes) {
      if (n.op !== 'layer') {
        nodes.push(n)
        continue
      }
      const { activation } = n.attrs
      const [x, w, ...biases] = n.inputs
      const steps: { op: Node['op']; inputs: string[] }[] = [{ op: 'matmul', inputs: [x!, w!] }]
      for (const b of biases) steps.push({ op: 'add', inputs: [b] })
      if (activation !== 'identity') steps.push({ op: activation, inputs: [] })
      let previous = ''
      steps.forEach((s, k) => {
        const last = k === steps.length - 1
        const id = last ? n.id : fresh(`${n.id}.${s.op === 'matmul' ? 'mm' : s.op === 'add' ? 'pre' : s.op}`)
        const inputs = k === 0 ? s.inputs : [previous, ...s.inputs]
        nodes.push(node(id, s.op, inputs, (s.op === 'matmul' ? { transposeB: true } : {}) as never))
        previous = id
      })
    }
    return { ...g, nodes }
  })
}
