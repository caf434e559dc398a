import type { OpAttrs, OpName } from './ops/attrs.js'

/**
 * A reference to one output of a node: `"id"` is output 0, `"id:k"` is output k
 * (only multi-output nodes such as `scan` have k > 0).
 */
export type Ref = string

export interface Node<K extends OpName = OpName> {
  /** Unique within its graph; readable names (`f`, `c2`) are encouraged. */
  readonly id: string
  readonly op: K
  readonly inputs: readonly Ref[]
  readonly attrs: OpAttrs[K]
}

export interface GraphOutput {
  readonly name: string
  readonly ref: Ref
}

/**
 * A dataflow graph. `nodes` are listed in topological order; `inputs` lists the ids of the leaf
 * nodes (`input`, `state`, `param`) in binding order, which is the order callers pass values in.
 */
export interface Graph {
  readonly inputs: readonly string[]
  readonly nodes: readonly Node[]
  readonly outputs: readonly GraphOutput[]
}

export const ref = (node: string, output = 0): Ref => (output === 0 ? node : `${node}:${output}`)

export const parseRef = (r: Ref): { node: string; output: number } => {
  const colon = r.lastIndexOf(':')
  if (colon < 0) return { node: r, output: 0 }
  const output = Number(r.slice(colon + 1))
  if (!Number.isInteger(output) || output < 0) return { node: r, output: 0 }
  return { node: r.slice(0, colon), output }
}

export const nodeMap = (g: Graph): Map<string, Node> => new Map(g.nodes.map((n) => [n.id, n]))
