import { grad, gradName } from '@cellgraph/autodiff'
import { type Graph, leafName, type Node, nodeMap, verify } from '@cellgraph/graph'

/** The output under which the training graph returns a parameter's updated value. */
export const updatedName = (param: string): string => `next.${param}`

/**
 * One SGD training step as a single graph: the forward pass, its backward pass (autodiff's `grad`,
 * BPTT through the scan) and the update p − lr·∂loss/∂p for every parameter. Outputs: `loss`, then
 * `next.<param>` for each parameter, which a caller writes back into the parameter's tensor.
 */
export function sgdTrainingGraph(forward: Graph, learningRate: number): Graph {
  const backward = grad(forward, { loss: 'loss' })
  const byId = nodeMap(backward)
  const params = backward.inputs.map((id) => byId.get(id)!).filter((n) => n.op === 'param')
  const taken = new Set(backward.nodes.map((n) => n.id))
  const fresh = (id: string) => {
    if (taken.has(id)) throw new Error(`the training graph already has a node '${id}'`)
    taken.add(id)
    return id
  }
  const rate: Node<'constant'> = {
    id: fresh('sgd.rate'),
    op: 'constant',
    inputs: [],
    attrs: { value: learningRate },
  }
  const updates = params.flatMap((p): Node[] => {
    const name = leafName(p)
    const gradRef = backward.outputs.find((o) => o.name === gradName(name))!.ref
    const step: Node<'mul'> = {
      id: fresh(`sgd.step.${name}`),
      op: 'mul',
      inputs: [gradRef, rate.id],
      attrs: {},
    }
    const next: Node<'sub'> = {
      id: fresh(`sgd.${updatedName(name)}`),
      op: 'sub',
      inputs: [p.id, step.id],
      attrs: {},
    }
    return [step, next]
  })
  const graph: Graph = {
    inputs: backward.inputs,
    nodes: [...backward.nodes, rate, ...updates],
    outputs: [
      backward.outputs.find((o) => o.name === 'loss')!,
      ...params.map((p) => {
        const name = leafName(p)
        return { name: updatedName(name), ref: `sgd.${updatedName(name)}` }
      }),
    ],
  }
  verify(graph)
  return graph
}
