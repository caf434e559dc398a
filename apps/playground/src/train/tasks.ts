import { cellToJson, Rng } from '@cellgraph/graph'
import {
  addingBatch,
  builtinCorpus,
  type RecurrentModelOptions,
  type Sequence,
  Vocabulary,
} from '@cellgraph/train'
import { cellForTask } from './cellForTask.js'
import type { TrainSetup } from './session.js'

/** A task's data and how the model around the editor's cell is shaped for it. */
export interface TaskData {
  readonly train: readonly Sequence[]
  readonly validation: readonly Sequence[]
  readonly description: string
  /** char-lm: the characters the token ids stand for. */
  readonly vocabulary?: Vocabulary
}

/** The built-in corpus at a size the browser trains on in seconds, or the user's own text. */
export function corpusText(text: string | undefined): { name: string; text: string } {
  if (!text) {
    const corpus = builtinCorpus(40_000, 4_000)
    return { name: 'the built-in corpus', text: corpus.vocabulary.decode(corpus.train) }
  }
  const length = [...text].length
  if (length < 100) throw new Error(`the text is too short to train on (${length} characters; at least 100)`)
  return { name: 'your text', text }
}

/**
 * A character language model: the text cut into sequences of `length + 1` characters, each
 * predicting its next characters. `vocabulary` (a loaded model's) keeps only the characters it knows.
 */
export function charLmData(setup: TrainSetup, known?: Vocabulary): TaskData {
  const source = corpusText(setup.text)
  const vocabulary = known ?? Vocabulary.fromText(source.text)
  const keep = new Set(vocabulary.chars)
  const chars = [...source.text].filter((c) => keep.has(c))
  if (chars.length < 100)
    throw new Error(
      `the model knows ${vocabulary.size} characters and ${source.name} has only ${chars.length} of them: ` +
        'paste the text it was trained on',
    )
  const ids = vocabulary.encode(chars.join(''))
  const span = setup.length + 1
  const sequences: Sequence[] = []
  for (let at = 0; at + span <= ids.length; at += setup.length)
    sequences.push({ x: Array.from(ids.subarray(at, at + span)) })
  const cut = Math.max(1, Math.floor(sequences.length * 0.95))
  return {
    train: sequences.slice(0, cut),
    validation: sequences.slice(cut),
    description: `${source.name}: ${vocabulary.size} characters, ${cut} sequences of ${span}`,
    vocabulary,
  }
}

/**
 * The adding problem (Hochreiter & Schmidhuber, 1997): two marked values in a sequence of
 * `length` steps; predict their sum after the last step. Always predicting the mean scores 0.167.
 */
export function addingData(setup: TrainSetup): TaskData {
  const rng = new Rng(setup.seed)
  const sequences = (count: number): Sequence[] => {
    const { x, y } = addingBatch(rng, setup.length, count)
    return Array.from({ length: count }, (_, b) => ({
      x: Array.from({ length: setup.length }, (_, t) => [
        x[(t * count + b) * 2]!,
        x[(t * count + b) * 2 + 1]!,
      ]),
      y: y[b]!,
    }))
  }
  return {
    train: sequences(4096),
    validation: sequences(256),
    description: `the adding problem, sequences of ${setup.length} steps`,
  }
}

/**
 * The model around the editor's cell for a task: the cell goes in as JSON, traced at the task's
 * input size (a DSL cell) or as written (a JSON cell, which a character model feeds through a
 * learned embedding of its input size).
 */
export function modelOptions(setup: TrainSetup, data: TaskData): RecurrentModelOptions {
  if (data.vocabulary) {
    const V = data.vocabulary.size
    const cell = cellForTask(setup, V)
    return { cell: cellToJson(cell), tokens: V, embedding: cell.sizes.input === V ? 0 : cell.sizes.input }
  }
  const cell = cellForTask(setup, 2)
  if (cell.sizes.input !== 2)
    throw new Error(`the adding problem feeds 2 values a step; this cell's input size is ${cell.sizes.input}`)
  return { cell: cellToJson(cell), inputSize: 2, task: 'regression', at: 'last' }
}
