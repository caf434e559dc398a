import type { Cell, CellDefinition, CellSizes } from '@cellgraph/graph'
import * as graph from '@cellgraph/graph'
import { parser } from '@lezer/javascript'
import { type SourceError, sourceError } from './sourceError.js'

// The DSL is JavaScript run with every export of @cellgraph/graph in scope; its stack frames carry
// this name, so an error thrown while tracing is placed at the user's line.
const SOURCE_URL = 'cell.dsl.js'
const STRICT = '"use strict";'
const identifier = /^[A-Za-z_$][\w$]*$/
const scopeNames = Object.keys(graph).filter((k) => identifier.test(k) && k !== 'defineCell')
const scopeValues = scopeNames.map((k) => (graph as Record<string, unknown>)[k])

// The DSL is the user's own code, run in their own page, like a script they typed in the console.
const compileBody = (code: string) =>
  new Function(...scopeNames, 'defineCell', `${STRICT}${code}\n//# sourceURL=${SOURCE_URL}`)

// How many lines the Function constructor puts before the body (measured, not assumed).
const headerLines = (() => {
  try {
    compileBody('throw new Error()')()
  } catch (e) {
    const line = frameOf(e)?.line
    if (line) return line - 1
  }
  return 0
})()

function frameOf(e: unknown): { line: number; column: number } | undefined {
  const stack = e instanceof Error ? (e.stack ?? '') : ''
  const m = new RegExp(`${SOURCE_URL.replace('.', '\\.')}:(\\d+):(\\d+)`).exec(stack)
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined
}

/** The first syntax error's offset, from the JavaScript grammar CodeMirror highlights with. */
function syntaxErrorOffset(code: string): number | undefined {
  let at: number | undefined
  parser.parse(code).iterate({
    enter: (node) => {
      if (at === undefined && node.type.isError) at = node.from
      return at === undefined
    },
  })
  return at
}

/** Runs DSL code (which must call `defineCell`) and instantiates the cell at `sizes`. */
export function cellFromDsl(code: string, sizes: CellSizes): Cell {
  const result = tryCellFromDsl(code, sizes)
  if (!result.ok) throw new Error(`line ${result.error.line}: ${result.error.message}`)
  return result.cell
}

export type DslResult = { ok: true; cell: Cell } | { ok: false; error: SourceError }

/** As `cellFromDsl`, with a failure located at its line in `code`. */
export function tryCellFromDsl(code: string, sizes: CellSizes): DslResult {
  let body: (...args: unknown[]) => unknown
  try {
    body = compileBody(code) as typeof body
  } catch (e) {
    const offset = syntaxErrorOffset(code) ?? 0
    return { ok: false, error: sourceError(code, offset, `syntax error: ${(e as Error).message}`) }
  }
  let definition: CellDefinition | undefined
  const record = (...args: Parameters<typeof graph.defineCell>) => {
    definition = graph.defineCell(...args)
    return definition
  }
  try {
    body(...scopeValues, record)
    if (!definition)
      return {
        ok: false,
        error: sourceError(code, code.length, 'the code must call defineCell(name, { state }, body)'),
      }
    return { ok: true, cell: definition(sizes) }
  } catch (e) {
    const frame = frameOf(e)
    const message = e instanceof Error ? e.message : String(e)
    if (!frame) return { ok: false, error: sourceError(code, 0, message) }
    const line = frame.line - headerLines
    const column = frame.column - 1 - (line === 1 ? STRICT.length : 0)
    return { ok: false, error: sourceError(code, lineStart(code, line) + Math.max(0, column), message) }
  }
}

function lineStart(code: string, line: number): number {
  let offset = 0
  for (let l = 1; l < line; l++) {
    const next = code.indexOf('\n', offset)
    if (next < 0) return offset
    offset = next + 1
  }
  return offset
}
