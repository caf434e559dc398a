/**
 * Where each field of a JSON document sits in its text, so an error naming a field
 * (`graph.nodes[11].attrs.activation`) can be shown on that field. Only for text JSON.parse accepts.
 */
export interface JsonSpan {
  readonly from: number
  readonly to: number
  readonly children?: ReadonlyMap<string, JsonSpan>
}

export function jsonSpans(text: string): JsonSpan {
  let i = 0
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const string = (): string => {
    const from = i
    i++
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1
    i++
    return JSON.parse(text.slice(from, i)) as string
  }
  const value = (): JsonSpan => {
    space()
    const from = i
    const c = text[i]
    if (c === '{' || c === '[') {
      const children = new Map<string, JsonSpan>()
      i++
      space()
      let index = 0
      while (text[i] !== '}' && text[i] !== ']') {
        let key = String(index++)
        if (c === '{') {
          key = string()
          space()
          i++ // ':'
        }
        children.set(key, value())
        space()
        if (text[i] === ',') i++
        space()
      }
      i++
      return { from, to: i, children }
    }
    if (c === '"') string()
    else while (i < text.length && !',]} \t\n\r'.includes(text[i]!)) i++
    return { from, to: i }
  }
  return value()
}

/** `graph.nodes[11].attrs` → ['graph', 'nodes', '11', 'attrs']. */
export const pathSegments = (path: string): string[] =>
  path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s !== '')

/** The span of the deepest field along `path` that exists in the document. */
export function spanOfPath(root: JsonSpan, path: string): JsonSpan {
  let span = root
  for (const segment of pathSegments(path)) {
    const child = span.children?.get(segment)
    if (!child) break
    span = child
  }
  return span
}

/** The span of the `id` of the node with this id in `graph.nodes` (scan bodies included). */
export function spanOfNode(root: JsonSpan, doc: unknown, nodeId: string): JsonSpan | undefined {
  const graphSpan = root.children?.get('graph')
  const graphDoc = (doc as { graph?: unknown }).graph
  return graphSpan ? findNode(graphSpan, graphDoc, nodeId) : undefined
}

function findNode(span: JsonSpan, graph: unknown, nodeId: string): JsonSpan | undefined {
  const nodes = (graph as { nodes?: unknown[] } | undefined)?.nodes
  if (!Array.isArray(nodes)) return undefined
  for (let k = 0; k < nodes.length; k++) {
    const node = nodes[k] as { id?: unknown; attrs?: { body?: unknown } }
    const nodeSpan = span.children?.get('nodes')?.children?.get(String(k))
    if (!nodeSpan) continue
    if (node?.id === nodeId) return nodeSpan.children?.get('id') ?? nodeSpan
    const bodySpan = nodeSpan.children?.get('attrs')?.children?.get('body')
    const inner = bodySpan && findNode(bodySpan, node?.attrs?.body, nodeId)
    if (inner) return inner
  }
  return undefined
}
