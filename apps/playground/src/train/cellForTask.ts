import type { Cell } from '@cellgraph/graph'
import { parseCell } from '../cell/parse.js'
import type { TrainSetup } from './session.js'

/** The editor's cell at a task's input size: a DSL cell is traced there, a JSON cell keeps its own. */
export function cellForTask(setup: TrainSetup, input: number): Cell {
  const parsed = parseCell(setup.source.text, setup.source.form, { input, hidden: setup.hidden })
  if (!parsed.ok)
    throw new Error(`the cell does not parse: line ${parsed.error.line}: ${parsed.error.message}`)
  return parsed.cell
}
