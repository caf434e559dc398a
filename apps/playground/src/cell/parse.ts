import type { Cell, CellSizes } from '@cellgraph/graph'
import { tryCellFromDsl } from './dsl.js'
import { tryCellFromJson } from './json.js'
import type { SourceError } from './sourceError.js'

/** The editor's two forms of a cell: DSL code, or the cell's JSON document. */
export type CellForm = 'dsl' | 'json'

export type ParsedCell = { ok: true; cell: Cell } | { ok: false; error: SourceError }

/** The cell in the editor's text; DSL cells are instantiated at `sizes` (JSON fixes its own). */
export const parseCell = (text: string, form: CellForm, sizes: CellSizes): ParsedCell =>
  form === 'dsl' ? tryCellFromDsl(text, sizes) : tryCellFromJson(text)
