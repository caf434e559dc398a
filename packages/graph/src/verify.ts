import { firstAttrProblem } from './attrCheck.js'
import { GraphError } from './errors.js'
import { type Graph, leafName, type Node, parseRef, type Ref } from './ir.js'
import { ShapeRuleError } from './ops/def.js'
import { type BodySignature, isOpName, ops } from './ops/index.js'
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
 * Returns the inferred types; throws GraphError naming the node, op and problem.
 */
export function verify(graph: Graph): GraphTypes {
  return verifyIn(graph, '')
}

/** The signature (input and output types) of a graph, e.g. a scan body or a cell. */
export function signature(graph: Graph, types: GraphTypes = verify(graph)): BodySignature {
  return {
    inputs: graph.inputs.map((id) => types.of(id)),
    outputs: graph.outputs.map((o) => types.of(o.ref)),
  }
}

function verifyIn(graph: Graph, where: string): GraphTypes {
  const types = new Map<string, ValueType[]>()
  const position = new Map(graph.nodes.map((n, i) => [n.id, i]))
  const at = (n: Node) => `${where}node %${n.id} (${n.op})`
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
      const out = ops[n.op].infer(inputTypes, n.attrs as never, {
        verifyBody: (body) => signature(body, verifyIn(body, `${where}scan %${n.id} body: `)),
      })
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
  return result
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
      `${where}cycle outside a scan: ${cycle.map((id) => `%${id}`).join(' -> ')}`,
      n.id,
      n.op,
    )
  throw new GraphError(
    `${where}node %${n.id} (${n.op}) reads %${node}, which is listed after it (list nodes in dependency order)`,
    n.id,
    n.op,
  )
}

/** A dependency cycle through `start`, as a path that returns to it, or undefined. */
function findCycle(graph: Graph, start: string): string[] | undefined {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const path: string[] = []
  const seen = new Set<string>()
  const visit = (id: string): boolean => {
    if (id === start && path.length > 0) return true
    if (seen.has(id)) return false
    seen.add(id)
    path.push(id)
    for (const r of byId.get(id)?.inputs ?? []) if (visit(parseRef(r).node)) return true
    path.pop()
    return false
  }
  return visit(start) ? [...path, start] : undefined
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
