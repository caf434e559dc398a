import { type Graph, GraphBuilder, GraphError, nodeMap, parseRef, type Value } from '@cellgraph/graph'

/**
 * A copy of `graph` with one more output, `name`, computed from its outputs by `loss`, which may
 * add leaves (targets, weights) through the builder:
 *
 *     withLoss(model, ({ y }, b) => mseLoss(y!, b.leaf('input', 'target', { name: 'target', type: y!.type })))
 */
export function withLoss(
  graph: Graph,
  loss: (outputs: Readonly<Record<string, Value>>, builder: GraphBuilder) => Value,
  name = 'loss',
): Graph {
  if (graph.outputs.some((o) => o.name === name))
    throw new GraphError(`the graph already has an output named '${name}'`)
  const b = new GraphBuilder()
  const values = new Map<string, Value[]>()
  const read = (r: string) => {
    const { node, output } = parseRef(r)
    return values.get(node)![output]!
  }
  const byId = nodeMap(graph)
  for (const id of graph.inputs) {
    const n = byId.get(id)!
    values.set(id, [b.leaf(n.op as 'input', id, n.attrs as never)])
  }
  for (const n of graph.nodes)
    if (!values.has(n.id)) values.set(n.id, b.apply(n.op, n.inputs.map(read), n.attrs as never, n.id))
  const outputs = graph.outputs.map((o) => ({ name: o.name, value: read(o.ref) }))
  const value = loss(Object.fromEntries(outputs.map((o) => [o.name, o.value])), b)
  return b.build([...outputs, { name, value }])
}
