import type { Cell, CellSizes } from '@cellgraph/graph'
import { type CellForm, type ParsedCell, parseCell } from './cell/parse.js'

/** What the editor holds: the text, its form and sizes, and the cell it last parsed to. */
export interface CellState {
  readonly text: string
  readonly form: CellForm
  readonly sizes: CellSizes
  readonly parsed: ParsedCell
  /** The last cell that parsed, kept while the text has an error (the views keep showing it). */
  readonly lastGood: Cell | undefined
}

type Listener = (state: CellState) => void

/** The one place the current cell lives; views subscribe to it. */
export class CellStore {
  private current: CellState
  private readonly listeners: Listener[] = []

  constructor(text: string, form: CellForm, sizes: CellSizes) {
    const parsed = parseCell(text, form, sizes)
    this.current = { text, form, sizes, parsed, lastGood: parsed.ok ? parsed.cell : undefined }
  }

  get state(): CellState {
    return this.current
  }

  update(change: Partial<Pick<CellState, 'text' | 'form' | 'sizes'>>): void {
    const next = { ...this.current, ...change }
    const parsed = parseCell(next.text, next.form, next.sizes)
    this.current = { ...next, parsed, lastGood: parsed.ok ? parsed.cell : this.current.lastGood }
    for (const l of this.listeners) l(this.current)
  }

  subscribe(listener: Listener): void {
    this.listeners.push(listener)
    listener(this.current)
  }
}
