import type { OpAttrs, OpName } from './ops/attrs.js'

/**
 * A reference to one output of a node: `"id"` is output 0, `"id:k"` is output k
 * (only multi-output nodes such as `scan` have k > 0).
 */
export type Ref = string

/** A node of one op: its attributes are that op's. */
export interface NodeOf<K extends OpName> {
  /** Unique within its graph; readable names (`f`, `c2`) are encouraged. */
  readonly id: string
  readonly op: K
  readonly inputs: readonly Ref[]
  readonly attrs: OpAttrs[K]
}

/**
 * A node: `Node` is the union over every op, discriminated by `op`, so `n.op === 'scan'` narrows
 * `n.attrs` to the scan's; `Node<'scan' | 'pad'>` is the union over those ops.
 */
export type Node<K extends OpName = OpName> = K extends OpName ? NodeOf<K> : never

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

/** The name a leaf (input, state or param) is bound by. */
export function leafName(n: Node): string {
  if (n.op === 'input' || n.op === 'state' || n.op === 'param') return n.attrs.name
  throw new Error(`node %${n.id} (${n.op}) is not a leaf: it has no name`)
}
