import {
  formatType,
  type Graph,
  GraphBuilder,
  GraphError,
  leafName,
  type Node,
  nodeMap,
  type OpName,
  parseRef,
  type Value,
  verify,
} from '@cellgraph/graph'
import { backprop } from './backprop.js'
import { zerosLike } from './emit.js'
import { dependents, normalRef, reaching } from './flow.js'
import type { BpttMode, VjpRule } from './rule.js'
import { vjpRules } from './rules/index.js'

export interface GradOptions {
  /** The name of a scalar tensor output ([]) to differentiate. */
  readonly loss: string
  /** Names of the leaves to differentiate with respect to; default: every `param` leaf. */
  readonly wrt?: readonly string[]
  /**
   * What scans keep for their backward pass: `save` (default) every row value it reads, per step;
   * `recompute` only the carries, recomputing each step's other values in the reverse scan (less
   * memory, one more forward pass).
   */
  readonly bptt?: BpttMode
}

/** The output name under which `grad` returns the gradient of a leaf. */
export const gradName = (leaf: string): string => `grad.${leaf}`

/** The leaves `grad` differentiates with respect to, by name, checked against the graph. */
export function gradLeaves(graph: Graph, wrt?: readonly string[]): Node[] {
  const byId = nodeMap(graph)
  const leaves = graph.inputs.map((id) => byId.get(id)!)
  if (!wrt) return leaves.filter((n) => n.op === 'param')
  return wrt.map((name, i) => {
    const n = leaves.find((l) => leafName(l) === name)
    if (!n)
      throw new GraphError(
        `wrt names '${name}', which is not a leaf of the graph; leaves: ${leaves.map(leafName).join(', ')}`,
      )
    if (wrt.indexOf(name) !== i) throw new GraphError(`wrt names '${name}' twice`)
    return n
  })
}

/**
 * The gradient graph: every output of `graph`, then `grad.<leaf>` for each leaf in `wrt`, the
 * gradient of the scalar output `loss`. The backward pass is made of ordinary graph nodes, so
 * every backend runs it; scans are differentiated by BPTT (a reverse scan). Leaves the loss does
 * not depend on get zero gradients.
 */
export function grad(graph: Graph, options: GradOptions): Graph {
  const types = verify(graph)
  const lossOutput = graph.outputs.find((o) => o.name === options.loss)
  if (!lossOutput)
    throw new GraphError(
      `loss '${options.loss}' is not an output of the graph; outputs: ${graph.outputs.map((o) => o.name).join(', ')}`,
    )
  const lossType = types.of(lossOutput.ref)
  if (lossType.layout !== 'tensor' || lossType.shape.length !== 0)
    throw new GraphError(`loss '${options.loss}' must be a scalar tensor [], got ${formatType(lossType)}`)
  const leaves = gradLeaves(graph, options.wrt)
  for (const n of leaves)
    if (graph.outputs.some((o) => o.name === gradName(leafName(n))))
      throw new GraphError(`the graph already has an output named '${gradName(leafName(n))}'`)

  const flows = dependents(graph, new Set(leaves.map((n) => n.id)))
  const requiresGrad = (r: string) => flows.has(parseRef(r).node)
  const reaches = reaching(graph, [lossOutput.ref])

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
  const stashes = new Map<string, unknown>()
  for (const n of graph.nodes) {
    if (values.has(n.id)) continue
    const inputs = n.inputs.map(read)
    const rule = vjpRules[n.op] as VjpRule<OpName>
    const outTypes = types.byNode.get(n.id)!
    const needsInput = n.inputs.map(requiresGrad)
    const needsOutput = outTypes.map((_, k) => requiresGrad(n.id) && reaches.has(normalRef(`${n.id}:${k}`)))
    if (rule.forward && needsInput.some(Boolean) && needsOutput.some(Boolean)) {
      const { outputs, stash } = rule.forward({
        node: n,
        builder: b,
        inputs,
        inputTypes: n.inputs.map((r) => types.of(r)),
        needsInput,
        needsOutput,
        bptt: options.bptt ?? 'save',
      })
      values.set(n.id, outputs)
      stashes.set(n.id, stash)
    } else values.set(n.id, b.apply(n.op, inputs, n.attrs, n.id))
  }

  const cotangents = backprop({
    graph,
    types,
    builder: b,
    forward: read,
    requiresGrad,
    seeds: [{ ref: lossOutput.ref, value: b.constant(1) }],
    stashes,
  })
  return b.build([
    ...graph.outputs.map((o) => ({ name: o.name, value: read(o.ref) })),
    ...leaves.map((n) => ({
      name: gradName(leafName(n)),
      value: cotangents.get(n.id) ?? zerosLike(read(n.id)),
    })),
  ])
}
