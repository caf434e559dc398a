import { type Cell, cellFromJson, GraphError, JsonFormatError } from '@cellgraph/graph'
import { jsonSpans, spanOfNode, spanOfPath } from './jsonPositions.js'
import { type SourceError, sourceError } from './sourceError.js'

export type JsonResult = { ok: true; cell: Cell } | { ok: false; error: SourceError }

/** A cell from its JSON form, with a failure placed on the field or node it names. */
export function tryCellFromJson(text: string): JsonResult {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    const message = (e as Error).message
    const at = /position (\d+)/.exec(message)
    return { ok: false, error: sourceError(text, at ? Number(at[1]) : 0, `not valid JSON: ${message}`) }
  }
  try {
    return { ok: true, cell: cellFromJson(doc) }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    const root = jsonSpans(text)
    if (e instanceof JsonFormatError) {
      const span = spanOfPath(root, e.path)
      return { ok: false, error: sourceError(text, span.from, message, span.to) }
    }
    const span = e instanceof GraphError && e.nodeId ? spanOfNode(root, doc, e.nodeId) : undefined
    return { ok: false, error: sourceError(text, span?.from ?? 0, message, span?.to) }
  }
}
