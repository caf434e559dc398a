import { firstAttrProblem } from './attrCheck.js'
import { GraphError, JsonFormatError } from './errors.js'
import type { Graph, GraphOutput, Node } from './ir.js'
import { isOpName, opNames } from './ops/index.js'
import {
  asName,
  asNameArray,
  asObject,
  asString,
  documentLimits,
  own,
  parseJsonText,
  printable,
} from './schema.js'
import { elementCount } from './types.js'
import { verify } from './verify.js'

/**
 * A graph as JSON text. Graphs are plain data, so this is their exact serialised form. Scans
 * nested past `documentLimits.scanDepth` (a graph made by hand; the builder refuses them) are a
 * GraphError, not a stack overflow inside JSON.stringify, and no reader would take the text.
 */
export function graphToJson(graph: Graph, indent = 0): string {
  if (nestsTooDeep(graph))
    throw new GraphError(`scans nest more than ${documentLimits.scanDepth} deep: the graph cannot be written`)
  return JSON.stringify(graph, null, indent || undefined)
}

/** Whether scan bodies nest past the limit, walked without recursion (each body once per depth). */
function nestsTooDeep(graph: Graph): boolean {
  const deepest = new Map<Graph, number>()
  const stack: [Graph, number][] = [[graph, 0]]
  while (stack.length > 0) {
    const [g, depth] = stack.pop()!
    if ((deepest.get(g) ?? -1) >= depth) continue
    deepest.set(g, depth)
    for (const n of Array.isArray(g?.nodes) ? g.nodes : [])
      if (n?.op === 'scan') {
        if (depth >= documentLimits.scanDepth) return true
        stack.push([(n.attrs as { body: Graph }).body, depth + 1])
      }
  }
  return false
}

/**
 * A graph from JSON text or a parsed object. Malformed documents fail with a JsonFormatError whose
 * message names the field (`nodes[3].attrs.activation: must be one of ...`); well-formed documents
 * are then verified (shapes, cycles, leaves). `path` prefixes field names when the graph is part of
 * a larger document.
 */
export function graphFromJson(source: string | unknown, path = ''): Graph {
  const doc = typeof source === 'string' ? parseJsonText(source, path || '(document)') : source
  const graph = readGraph(doc, path, { nodes: 0 }, 0)
  const types = verify(graph)
  // A shape rule can multiply sizes (pad, concat, outerSum): each value's size is bounded too.
  for (const [id, outputs] of types.byNode)
    for (const t of outputs)
      if (elementCount(t.shape) > documentLimits.valueElements)
        throw new JsonFormatError(
          field(path, 'nodes'),
          `node %${id} makes a value of ${elementCount(t.shape)} elements per row; the limit is ${documentLimits.valueElements}`,
        )
  return graph
}

const field = (path: string, name: string) => (path ? `${path}.${name}` : name)

/** Nodes read so far in the whole document, scan bodies included (bounded by documentLimits). */
interface Count {
  nodes: number
}

function readGraph(doc: unknown, path: string, count: Count, depth: number): Graph {
  const obj = asObject(doc, path || '(document)')
  const inputs = asNameArray(own(obj, 'inputs'), field(path, 'inputs'))
  const nodesPath = field(path, 'nodes')
  const nodeDocs = own(obj, 'nodes')
  if (!Array.isArray(nodeDocs)) throw new JsonFormatError(nodesPath, 'must be an array of nodes')
  count.nodes += nodeDocs.length
  if (count.nodes > documentLimits.nodes)
    throw new JsonFormatError(nodesPath, `the graph has more than ${documentLimits.nodes} nodes`)
  const nodes = nodeDocs.map((n, i) => readNode(n, `${nodesPath}[${i}]`, count, depth))
  const outputsPath = field(path, 'outputs')
  const outputDocs = own(obj, 'outputs')
  if (!Array.isArray(outputDocs)) throw new JsonFormatError(outputsPath, 'must be an array of { name, ref }')
  const outputs = outputDocs.map((o, i): GraphOutput => {
    const out = asObject(o, `${outputsPath}[${i}]`)
    return {
      name: asName(own(out, 'name'), `${outputsPath}[${i}].name`),
      ref: asName(own(out, 'ref'), `${outputsPath}[${i}].ref`),
    }
  })
  return { inputs, nodes, outputs }
}

function readNode(doc: unknown, path: string, count: Count, depth: number): Node {
  const obj = asObject(doc, path)
  const id = asName(own(obj, 'id'), `${path}.id`)
  const op = asString(own(obj, 'op'), `${path}.op`)
  if (!isOpName(op))
    throw new JsonFormatError(`${path}.op`, `unknown op '${printable(op)}' (known: ${opNames.join(', ')})`)
  const inputs = asNameArray(own(obj, 'inputs'), `${path}.inputs`)
  const attrs = asObject(own(obj, 'attrs') ?? {}, `${path}.attrs`)
  const problem = firstAttrProblem(op, attrs)
  if (problem) throw new JsonFormatError(`${path}.attrs.${problem[0]}`, problem[1])
  if (op !== 'scan') return { id, op, inputs, attrs } as unknown as Node
  // Scans nest through their bodies; the depth is bounded so no walk of the graph runs out of stack.
  if (depth >= documentLimits.scanDepth)
    throw new JsonFormatError(`${path}.attrs.body`, `scans nest more than ${documentLimits.scanDepth} deep`)
  const body = readGraph(attrs.body, `${path}.attrs.body`, count, depth + 1)
  return { id, op, inputs, attrs: { ...attrs, body } } as unknown as Node
}
