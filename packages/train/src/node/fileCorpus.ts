import { closeSync, readSync } from 'node:fs'
import { type Corpus, CorpusError } from '../data/corpus.js'
import { Vocabulary } from '../data/vocabulary.js'
import { FileError, openRegularFile } from './regularFile.js'

/** The largest data file read: its characters are held as 32-bit ids (4 bytes each). */
export const MAX_CORPUS_BYTES = 2 ** 30
const CHUNK = 1 << 20

/**
 * A corpus from a UTF-8 text file: the last `heldOutFraction` of it is the held-out split. Missing,
 * binary, non-UTF-8, empty and too-short files, devices and FIFOs are rejected with an error that
 * says which. The file is streamed twice in 1 MiB chunks (once for the vocabulary, once to encode
 * it), so memory is the 4-byte ids and one chunk, never the whole text as a string.
 */
export function fileCorpus(path: string, heldOutFraction = 0.1): Corpus {
  let file: { fd: number; size: number }
  try {
    file = openRegularFile(path, 'data file', MAX_CORPUS_BYTES)
  } catch (e) {
    throw new CorpusError(e instanceof FileError ? e.message : String(e))
  }
  try {
    if (file.size === 0) throw new CorpusError(`data file '${path}' is empty`)
    const chars = new Set<string>()
    let length = 0
    forEachChunk(file.fd, path, (text) => {
      for (const c of text) {
        chars.add(c)
        length++
      }
    })
    const heldOutLength = Math.floor(length * heldOutFraction)
    if (length - heldOutLength < 2 || heldOutLength < 2)
      throw new CorpusError(`data file '${path}' is too short (${length} characters) to train on`)
    const vocabulary = new Vocabulary([...chars].sort())
    const ids = new Int32Array(length)
    const index = new Map(vocabulary.chars.map((c, i) => [c, i]))
    let at = 0
    forEachChunk(file.fd, path, (text) => {
      for (const c of text) ids[at++] = index.get(c)!
    })
    if (at !== length) throw new CorpusError(`data file '${path}' changed while it was read`)
    return {
      name: path,
      vocabulary,
      train: ids.subarray(0, length - heldOutLength),
      heldOut: ids.subarray(length - heldOutLength),
    }
  } finally {
    closeSync(file.fd)
  }
}

/** Decodes the file from its start in chunks, refusing NUL bytes and invalid UTF-8. */
function forEachChunk(fd: number, path: string, each: (text: string) => void): void {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const buffer = new Uint8Array(CHUNK)
  let position = 0
  for (;;) {
    const n = readSync(fd, buffer, 0, CHUNK, position)
    const bytes = buffer.subarray(0, n)
    if (bytes.includes(0)) throw new CorpusError(`data file '${path}' looks binary (it contains NUL bytes)`)
    let text: string
    try {
      text = decoder.decode(bytes, { stream: n > 0 })
    } catch {
      throw new CorpusError(`data file '${path}' is not valid UTF-8 text`)
    }
    each(text)
    if (n === 0) return
    position += n
  }
}
