import type { Backend } from '@cellgraph/backends'
import { Rng } from '@cellgraph/graph'
import {
  builtinCorpus,
  type Checkpoint,
  type Corpus,
  decodeCheckpoint,
  encodeCheckpoint,
  type ModelConfig,
  StatefulModel,
  sampleText,
  type TrainConfig,
  Trainer,
  Vocabulary,
} from '@cellgraph/train'
import { cellForTask } from './cellForTask.js'
import type { TrainingSession, TrainSetup } from './session.js'

/** The built-in corpus at a size the browser trains on in seconds, or the user's own text. */
export function corpusFor(text: string | undefined): Corpus {
  if (!text) return builtinCorpus(40_000, 4_000)
  const chars = [...text]
  if (chars.length < 100)
    throw new Error(`the text is too short to train on (${chars.length} characters; at least 100)`)
  const vocabulary = Vocabulary.fromText(text)
  const cut = Math.floor(chars.length * 0.9)
  return {
    name: 'your text',
    vocabulary,
    train: vocabulary.encode(chars.slice(0, cut).join('')),
    heldOut: vocabulary.encode(chars.slice(cut).join('')),
  }
}

/** A character language model around the editor's cell (one-hot input, linear head). */
export class CharLmSession implements TrainingSession {
  readonly task = 'char-lm'

  private constructor(
    private readonly trainer: Trainer,
    private readonly backend: Backend,
    readonly description: string,
  ) {}

  static async create(backend: Backend, setup: TrainSetup, resume?: Checkpoint): Promise<CharLmSession> {
    const corpus = corpusFor(setup.text)
    const vocabulary = resume?.vocabulary ?? corpus.vocabulary
    const V = vocabulary.size
    const model: ModelConfig = resume?.model ?? modelFor(cellForTask(setup, V), V)
    const stream = encodable(corpus, vocabulary)
    // A loaded run continues with its own batch, window and optimizer settings (its carried state
    // has that batch); only the number of steps comes from the page.
    const saved = resume?.training.config as TrainConfig | undefined
    const config: TrainConfig = saved
      ? { ...saved, steps: setup.steps }
      : {
          batch: setup.batch,
          window: setup.length,
          steps: setup.steps,
          lr: setup.lr,
          clip: 1,
          seed: setup.seed,
          optimizer: { kind: 'adam' },
          schedule: { kind: 'constant' },
        }
    const trainer = await Trainer.create(backend, model, vocabulary, stream, config, resume)
    const cell = model.cells[0]!
    return new CharLmSession(
      trainer,
      backend,
      `${cell.name} (hidden ${cell.sizes.hidden}) on ${corpus.name}: ${V} characters, ${stream.length} to train on`,
    )
  }

  /** Continues from saved bytes (a checkpoint), on the current text or, if it lacks characters, the built-in corpus. */
  static load(backend: Backend, setup: TrainSetup, bytes: Uint8Array): Promise<CharLmSession> {
    return CharLmSession.create(backend, setup, decodeCheckpoint(bytes))
  }

  get steps(): number {
    return this.trainer.step
  }

  async step(): Promise<number> {
    return (await this.trainer.trainStep()).loss
  }

  async sample(): Promise<string> {
    const lm = await StatefulModel.create(this.backend, this.trainer.model, await this.trainer.parameters())
    try {
      return await sampleText(lm, this.trainer.vocabulary, new Rng(this.steps + 1), {
        length: 160,
        temperature: 0.8,
      })
    } finally {
      lm.dispose()
    }
  }

  async save(): Promise<Uint8Array> {
    return encodeCheckpoint(await this.trainer.checkpoint())
  }

  dispose(): void {
    this.trainer.dispose()
  }
}

const modelFor = (cell: ModelConfig['cells'][number], V: number): ModelConfig => ({
  cells: [cell],
  vocabularySize: V,
  // A JSON cell fixes its input size: a learned embedding adapts the one-hot rows to it.
  embedding: cell.sizes.input === V ? 0 : cell.sizes.input,
  dropout: 0,
})

/**
 * The corpus's training stream in a loaded model's vocabulary: characters the model does not know
 * are left out (a model trained on pasted text continues on the built-in corpus, or on new text).
 */
function encodable(corpus: Corpus, vocabulary: Vocabulary): Int32Array {
  if (corpus.vocabulary === vocabulary) return corpus.train
  const known = new Set(vocabulary.chars)
  const text = [...corpus.vocabulary.decode(corpus.train)].filter((c) => known.has(c)).join('')
  if (text.length < 100)
    throw new Error(
      `the model knows ${vocabulary.size} characters and ${corpus.name} has only ${text.length} of them: ` +
        'paste the text it was trained on',
    )
  return vocabulary.encode(text)
}
