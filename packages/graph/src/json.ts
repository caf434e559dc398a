import { firstAttrProblem } from './attrCheck.js'
import { JsonFormatError } from './errors.js'
import type { Graph, GraphOutput, Node } from './ir.js'
import { isOpName, opNames } from './ops/index.js'
import { verify } from './verify.js'

/** A graph as JSON text. Graphs are plain data, so this is their exact serialised form. */
export const graphToJson = (graph: Graph, indent = 0): string =>
  JSON.stringify(graph, null, indent || undefined)

/**
 * A graph from JSON text or a parsed object. Malformed documents fail with a JsonFormatError whose
 * message names the field (`nodes[3].attrs.activation: must be one of ...`); well-formed documents
 * are then verified (shapes, cycles, leaves). `path` prefixes field names when the graph is part of
 * a larger document.
 */
export function graphFromJson(source: string | unknown, path = ''): Graph {
  let doc: unknown = source
  if (typeof source === 'string') {
    try {
      doc = JSON.parse(source)
    } catch (e) {
      throw new JsonFormatError(path || '(document)', `not valid JSON: ${(e as Error).message}`)
    }
  }
  const graph = readGraph(doc, path)
  verify(graph)
  return graph
}

const field = (path: string, name: string) => (path ? `${path}.${name}` : name)

function readGraph(doc: unknown, path: string): Graph {
  const obj = asObject(doc, path || '(document)')
  const inputs = asStringArray(obj.inputs, field(path, 'inputs'))
  const nodesPath = field(path, 'nodes')
  if (!Array.isArray(obj.nodes)) throw new JsonFormatError(nodesPath, 'must be an array of nodes')
  const nodes = obj.nodes.map((n, i) => readNode(n, `${nodesPath}[${i}]`))
  const outputsPath = field(path, 'outputs')
  if (!Array.isArray(obj.outputs)) throw new JsonFormatError(outputsPath, 'must be an array of { name, ref }')
  const outputs = obj.outputs.map((o, i): GraphOutput => {
    const out = asObject(o, `${outputsPath}[${i}]`)
    return {
      name: asString(out.name, `${outputsPath}[${i}].name`),
      ref: asString(out.ref, `${outputsPath}[${i}].ref`),
    }
  })
  return { inputs, nodes, outputs }
}

function readNode(doc: unknown, path: string): Node {
  const obj = asObject(doc, path)
  const id = asString(obj.id, `${path}.id`)
  const op = asString(obj.op, `${path}.op`)
  if (!isOpName(op))
    throw new JsonFormatError(`${path}.op`, `unknown op '${op}' (known: ${opNames.join(', ')})`)
  const inputs = asStringArray(obj.inputs, `${path}.inputs`)
  const attrs = asObject(obj.attrs ?? {}, `${path}.attrs`)
  const problem = firstAttrProblem(op, attrs)
  if (problem) throw new JsonFormatError(`${path}.attrs.${problem[0]}`, problem[1])
  const finalAttrs = op === 'scan' ? { ...attrs, body: readGraph(attrs.body, `${path}.attrs.body`) } : attrs
  return { id, op, inputs, attrs: finalAttrs } as unknown as Node
}

function asObject(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new JsonFormatError(path, 'must be an object')
  return v as Record<string, unknown>
}

function asString(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') throw new JsonFormatError(path, 'must be a non-empty string')
  return v
}

function asStringArray(v: unknown, path: string): string[] {
  if (!Array.isArray(v)) throw new JsonFormatError(path, 'must be an array of strings')
  return v.map((s, i) => asString(s, `${path}[${i}]`))
}
