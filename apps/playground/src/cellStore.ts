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
export type Parse = (text: string, form: CellForm, sizes: CellSizes) => Promise<ParsedCell>

/**
 * The one place the current cell lives; views subscribe to it. Edits are parsed by `parse`
 * (off the page, in the app); an answer that a newer edit has overtaken is dropped.
 */
export class CellStore {
  private current: CellState
  private readonly listeners: Listener[] = []
  private latest = 0
  // What the edits so far ask for, ahead of the parses that are still running.
  private wanted: Pick<CellState, 'text' | 'form' | 'sizes'>

  /** The starting text is one of the built-in templates, parsed here directly. */
  constructor(
    text: string,
    form: CellForm,
    sizes: CellSizes,
    private readonly parse: Parse,
  ) {
    const parsed = parseCell(text, form, sizes)
    this.current = { text, form, sizes, parsed, lastGood: parsed.ok ? parsed.cell : undefined }
    this.wanted = { text, form, sizes }
  }

  get state(): CellState {
    return this.current
  }

  async update(change: Partial<Pick<CellState, 'text' | 'form' | 'sizes'>>): Promise<void> {
    const next = (this.wanted = { ...this.wanted, ...change })
    const mine = ++this.latest
    const parsed = await this.parse(next.text, next.form, next.sizes)
    if (mine !== this.latest) return
    this.current = { ...next, parsed, lastGood: parsed.ok ? parsed.cell : this.current.lastGood }
    for (const l of this.listeners) l(this.current)
  }

  subscribe(listener: Listener): void {
    this.listeners.push(listener)
    listener(this.current)
  }
}
