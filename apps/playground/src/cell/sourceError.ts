/** An error in the editor's text: the message, the range it covers and its 1-based line. */
export interface SourceError {
  readonly message: string
  readonly from: number
  readonly to: number
  readonly line: number
}

/** An error covering the rest of the line at `offset` (or the whole line when at its start). */
export function sourceError(text: string, offset: number, message: string, to?: number): SourceError {
  const from = Math.max(0, Math.min(offset, text.length))
  const lineEnd = text.indexOf('\n', from)
  const end = to ?? (lineEnd < 0 ? text.length : lineEnd)
  const line = text.slice(0, from).split('\n').length
  return { message, from, to: Math.max(end, from), line }
}
