import { readFileSync, statSync } from 'node:fs'
import { type Corpus, CorpusError } from '../data/corpus.js'
import { Vocabulary } from '../data/vocabulary.js'

/**
 * A corpus from a UTF-8 text file: the last `heldOutFraction` of it is the held-out split. Missing,
 * binary, non-UTF-8, empty and too-short files are rejected with an error that says which.
 */
export function fileCorpus(path: string, heldOutFraction = 0.1): Corpus {
  let bytes: Buffer
  try {
    if (statSync(path).isDirectory()) throw new CorpusError(`data file '${path}' is a directory`)
    bytes = readFileSync(path)
  } catch (e) {
    if (e instanceof CorpusError) throw e
    throw new CorpusError(`cannot read data file '${path}': ${(e as NodeJS.ErrnoException).code ?? e}`)
  }
  if (bytes.length === 0) throw new CorpusError(`data file '${path}' is empty`)
  if (bytes.includes(0)) throw new CorpusError(`data file '${path}' looks binary (it contains NUL bytes)`)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new CorpusError(`data file '${path}' is not valid UTF-8 text`)
  }
  const chars = [...text]
  const heldOutLength = Math.floor(chars.length * heldOutFraction)
  if (chars.length - heldOutLength < 2 || heldOutLength < 2)
    throw new CorpusError(`data file '${path}' is too short (${chars.length} characters) to train on`)
  const vocabulary = Vocabulary.fromText(text)
  return {
    name: path,
    vocabulary,
    train: vocabulary.encode(chars.slice(0, chars.length - heldOutLength).join('')),
    heldOut: vocabulary.encode(chars.slice(chars.length - heldOutLength).join('')),
  }
}
