/// <reference lib="webworker" />
import { type CellForm, parseCell } from './parse.js'

// The editor's text is run here, away from the page: code that never ends (a `while (true)` half
// typed) costs this worker, which the page replaces, and never the page itself.
self.onmessage = (
  event: MessageEvent<{ id: number; text: string; form: CellForm; sizes: { input: number; hidden: number } }>,
) => {
  const { id, text, form, sizes } = event.data
  ;(self as unknown as Worker).postMessage({ id, parsed: parseCell(text, form, sizes) })
}
