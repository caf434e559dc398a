import type { Graph, Node } from '@cellgraph/graph'
import { everyLevel, renameRefs } from './edit.js'

/**
 * Nodes that apply the same op with the same attributes to the same inputs compute the same value:
 * keep the first and read it everywhere (autodiff emits such twins, e.g. the two bias gradients
 * of a layer with two biases reduce the same rows). Leaves and scans are left alone.
 */
export function eliminateCommonSubexpressions(graph: Graph): Graph {
  return everyLevel(graph, (g) => {
    const first = new Map<string, string>()
    const replace = new Map<string, string>()
    const nodes: Node[] = []
    for (const n of g.nodes) {
      const inputs = n.inputs.map((r) => replace.get(r) ?? r)
      if (g.inputs.includes(n.id) || n.op === 'scan') {
        nodes.push(inputs.every((r, k) => r === n.inputs[k]) ? n : { ...n, inputs })
        continue
      }
      const key = `${n.op}|${JSON.stringify(n.attrs)}|${inputs.join(',')}`
      const seen = first.get(key)
      if (seen !== undefined) replace.set(n.id, seen)
      else {
        first.set(key, n.id)
        nodes.push({ ...n, inputs })
      }
    }
    if (replace.size === 0) return g
    const renamed = renameRefs(nodes, g.outputs, replace)
    return { ...g, nodes: renamed.nodes, outputs: renamed.outputs }
  })
}
