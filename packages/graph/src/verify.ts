import { firstAttrProblem } from './attrCheck.js'
import { GraphError } from './errors.js'
import { type Graph, leafName, type Node, parseRef, type Ref } from './ir.js'
import { ShapeRuleError } from './ops/def.js'
import { type BodySignature, isOpName, ops } from './ops/index.js'
import { documentLimits } from './schema.js'
import { formatType, type ValueType } from './types.js'

const leafOps = new Set(['input', 'state', 'param'])

/** The inferred types of a verified graph: the output types of every node, by id. */
export class GraphTypes {
  constructor(readonly byNode: ReadonlyMap<string, readonly ValueType[]>) {}
  of(r: Ref): ValueType {
    const { node, output } = parseRef(r)
    const t = this.byNode.get(node)?.[output]
    if (!t) throw new GraphError(`unknown reference %${r}`)
    return t
  }
}

/**
 * Checks a graph: known ops, attributes, arity, every input defined before use (no cycles),
 * leaves listed in `inputs`, unique ids and leaf names, and every shape rule (scan bodies too).
 * Returns the inferred types; throws GraphError naming the node, op and problem. Scans may nest
 * `documentLimits.scanDepth` deep, however the graph was made (JSON or the builder), so no walk of
 * a verified graph runs out of stack; a body shared by several scans is checked once.
 */
export function verify(graph: Graph): GraphTypes {
  return verifyIn(graph, '', 0, new Map()).types
}

/** The signature (input and output types) of a graph, e.g. a scan body or a cell. */
export function signature(graph: Graph, types: GraphTypes = verify(graph)): BodySignature {
  return {
    inputs: graph.inputs.map((id) => types.of(id)),
    outputs: graph.outputs.map((o) => types.of(o.ref)),
  }
}

/** A verified graph's types and how deep scans nest inside it (0: no scan). */
interface Verified {
  readonly types: GraphTypes
  readonly height: number
}

function verifyIn(graph: Graph, where: string, depth: number, bodies: Map<Graph, Verified>): Verified {
  // Bodies reach here from any object a program passed as one.
  if (
    typeof graph !== 'object' ||
    graph === null ||
    ![graph.inputs, graph.nodes, graph.outputs].every(Array.isArray)
  )
    throw new GraphError(`${where}a graph needs the arrays inputs, nodes and outputs`)
  const types = new Map<string, ValueType[]>()
  const position = new Map(graph.nodes.map((n, i) => [n.id, i]))
  const at = (n: Node) => `${where}node %${n.id} (${n.op})`
  let height = 0
  /** A scan's body, checked once per call; its depth here plus its own nesting is bounded. */
  const verifyBody = (n: Node, body: Graph): BodySignature => {
    const tooDeep = () =>
      new GraphError(`${at(n)}: scans nest more than ${documentLimits.scanDepth} deep`, n.id, n.op)
    if (depth >= documentLimits.scanDepth) throw tooDeep()
    let done = bodies.get(body)
    if (!done) {
      done = verifyIn(body, `${where}scan %${n.id} body: `, depth + 1, bodies)
      bodies.set(body, done)
    } else if (depth + 1 + done.height > documentLimits.scanDepth) throw tooDeep()
    height = Math.max(height, done.height + 1)
    return signature(body, done.types)
  }
  graph.nodes.forEach((n, index) => {
    if (typeof n.id !== 'string' || n.id === '') throw new GraphError(`${where}node ${index} has no id`)
    if (position.get(n.id) !== index) throw new GraphError(`${where}node id %${n.id} is used twice`, n.id)
    if (!isOpName(n.op))
      throw new GraphError(`${where}node %${n.id}: unknown op '${String(n.op)}'`, n.id, n.op)
    const attrProblem = firstAttrProblem(n.op, n.attrs)
    if (attrProblem)
      throw new GraphError(`${at(n)}: attribute ${attrProblem[0]} ${attrProblem[1]}`, n.id, n.op)
    const [lo, hi] = ops[n.op].arity
    if (n.inputs.length < lo || n.inputs.length > hi)
      throw new GraphError(
        `${at(n)}: takes ${lo === hi ? lo : `${lo} to ${hi}`} inputs, got ${n.inputs.length}`,
        n.id,
        n.op,
      )
    const inputTypes = n.inputs.map((r) => inputType(graph, types, position, n, r, where))
    try {
      const out = ops[n.op].infer(inputTypes, n.attrs as never, { verifyBody: (body) => verifyBody(n, body) })
      types.set(n.id, out)
    } catch (e) {
      if (e instanceof ShapeRuleError) {
        const shapes = inputTypes.map((t, i) => `%${n.inputs[i]} ${formatType(t)}`).join(', ')
        throw new GraphError(`${at(n)}: ${e.message} (inputs: ${shapes || 'none'})`, n.id, n.op)
      }
      throw e
    }
  })
  checkLeaves(graph, where)
  const names = new Set<string>()
  for (const o of graph.outputs) {
    if (names.has(o.name)) throw new GraphError(`${where}output name '${o.name}' is used twice`)
    names.add(o.name)
    if (!types.has(parseRef(o.ref).node))
      throw new GraphError(`${where}output '${o.name}' refers to unknown node %${o.ref}`)
  }
  const result = new GraphTypes(types)
  for (const o of graph.outputs) result.of(o.ref)
  return { types: result, height }
}

function inputType(
  graph: Graph,
  types: Map<string, ValueType[]>,
  position: Map<string, number>,
  n: Node,
  r: Ref,
  where: string,
): ValueType {
  const { node, output } = parseRef(r)
  const found = types.get(node)
  if (found) {
    const t = found[output]
    if (!t)
      throw new GraphError(
        `${where}node %${n.id} (${n.op}) reads output ${output} of %${node}, which has ${found.length}`,
        n.id,
        n.op,
      )
    return t
  }
  if (!position.has(node))
    throw new GraphError(`${where}node %${n.id} (${n.op}) reads %${node}, which is not defined`, n.id, n.op)
  const cycle = findCycle(graph, n.id)
  if (cycle)
    throw new GraphError(
      `${where}cycle outside a scan: ${shortPath(cycle.map((id) => `%${id}`))}`,
      n.id,
      n.op,
    )
  throw new GraphError(
    `${where}node %${n.id} (${n.op}) reads %${node}, which is listed after it (list nodes in dependency order)`,
    n.id,
    n.op,
  )
}

/**
 * A dependency cycle through `start`, as a path that returns to it, or undefined. Depth-first with
 * an explicit stack: a chain of nodes as long as the graph cannot exhaust the call stack.
 */
function findCycle(graph: Graph, start: string): string[] | undefined {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const seen = new Set<string>([start])
  // The path from `start`, each node with the index of the next input to follow.
  const path: { id: string; next: number }[] = [{ id: start, next: 0 }]
  while (path.length > 0) {
    const top = path.at(-1)!
    const inputs = byId.get(top.id)?.inputs ?? []
    if (top.next >= inputs.length) {
      path.pop()
      continue
    }
    const id = parseRef(inputs[top.next++]!).node
    if (id === start) return [...path.map((p) => p.id), start]
    if (seen.has(id)) continue
    seen.add(id)
    path.push({ id, next: 0 })
  }
  return undefined
}

/** A path for an error message: a long one shows its ends and how many nodes lie between. */
function shortPath(ids: readonly string[]): string {
  if (ids.length <= 12) return ids.join(' -> ')
  return `${ids.slice(0, 6).join(' -> ')} -> ... (${ids.length - 12} more) -> ${ids.slice(-6).join(' -> ')}`
}

function checkLeaves(graph: Graph, where: string) {
  const listed = new Set(graph.inputs)
  if (listed.size !== graph.inputs.length) throw new GraphError(`${where}graph inputs list a node twice`)
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  for (const id of graph.inputs) {
    const n = byId.get(id)
    if (!n) throw new GraphError(`${where}graph input %${id} is not a node`)
    if (!leafOps.has(n.op))
      throw new GraphError(`${where}graph input %${id} is a ${n.op}, not an input, state or param`, id, n.op)
  }
  const leafNames = new Set<string>()
  for (const n of graph.nodes) {
    if (!leafOps.has(n.op)) continue
    if (!listed.has(n.id))
      throw new GraphError(`${where}${n.op} %${n.id} is not listed in the graph's inputs`, n.id, n.op)
    const name = leafName(n)
    if (leafNames.has(name)) throw new GraphError(`${where}two leaves are named '${name}'`, n.id, n.op)
    leafNames.add(name)
  }
}
