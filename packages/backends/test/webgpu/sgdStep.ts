import { type Graph, type Node, nodeMap } from '@cellgraph/graph'
import { trainingGraph } from '../support/gradGraphs.js'

/**
 * One SGD training step as a single graph: the model's loss, its gradients (autodiff's BPTT) and
 * the updated parameters `next.<name>` = p − lr·grad.<name>, so a backend runs forward, backward
 * and update in one execution and writes parameters back in place with `into`.
 */
export function sgdStep(model: Graph, lr: number): { graph: Graph; params: string[] } {
  const g = trainingGraph(model)
  const byId = nodeMap(g)
  const params = g.inputs.map((id) => byId.get(id)!).filter((n) => n.op === 'param')
  const lrNode: Node = { id: 'sgd.lr', op: 'constant', inputs: [], attrs: { value: lr } }
  const nodes: Node[] = [...g.nodes, lrNode]
  const outputs = [g.outputs.find((o) => o.name === 'loss')!]
  const names: string[] = []
  for (const p of params) {
    const name = (p.attrs as { name: string }).name
    const gradient = g.outputs.find((o) => o.name === `grad.${name}`)!
    nodes.push({ id: `sgd.step.${name}`, op: 'mul', inputs: [lrNode.id, gradient.ref], attrs: {} })
    nodes.push({ id: `sgd.next.${name}`, op: 'sub', inputs: [p.id, `sgd.step.${name}`], attrs: {} })
    outputs.push({ name: `next.${name}`, ref: `sgd.next.${name}` })
    names.push(name)
  }
  return { graph: { inputs: g.inputs, nodes, outputs }, params: names }
}
