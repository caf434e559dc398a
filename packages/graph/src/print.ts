import type { Graph, Node } from './ir.js'
import { leafName, ref } from './ir.js'
import { formatType } from './types.js'
import { type GraphTypes, verify } from './verify.js'

/**
 * The graph as readable text, one node a line, like a jaxpr:
 *
 *     %f = layer{activation=sigmoid} %hx, %f.W, %f.b : [B,20]
 *
 * Scan bodies print indented under their scan. The graph is verified first.
 */
export function printGraph(graph: Graph, name = 'graph'): string {
  return printIn(graph, verify(graph), name, '').join('\n')
}

function printIn(graph: Graph, types: GraphTypes, name: string, indent: string): string[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const lines = [`${indent}${name} {`]
  for (const id of graph.inputs) {
    const n = byId.get(id)!
    const leaf = leafName(n)
    lines.push(`${indent}  %${id}: ${n.op}${leaf === id ? '' : ` '${leaf}'`} ${formatType(types.of(id))}`)
  }
  for (const n of graph.nodes) {
    if (n.op === 'input' || n.op === 'state' || n.op === 'param') continue
    lines.push(...printNode(n, types, `${indent}  `))
  }
  lines.push(`${indent}  return ${graph.outputs.map((o) => `${o.name}=%${o.ref}`).join(', ')}`)
  lines.push(`${indent}}`)
  return lines
}

function printNode(n: Node, types: GraphTypes, indent: string): string[] {
  const outTypes = types.byNode.get(n.id)!
  const lhs = outTypes.map((_, k) => `%${ref(n.id, k)}`).join(', ')
  const rhs = [n.op + formatAttrs(n), n.inputs.map((r) => `%${r}`).join(', ')].filter((s) => s).join(' ')
  const line = `${indent}${lhs} = ${rhs} : ${outTypes.map(formatType).join(', ')}`
  if (n.op !== 'scan') return [line]
  const { body } = n.attrs
  return [line, ...printIn(body, verify(body), 'body', `${indent}  `)]
}

function formatAttrs(n: Node): string {
  const entries = Object.entries(n.attrs).filter(([k]) => k !== 'body')
  if (entries.length === 0) return ''
  return `{${entries.map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ')}}`
}
