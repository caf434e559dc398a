import { corpusSeeds, generateCorpus } from './grammar.js'
import { Vocabulary } from './vocabulary.js'

/** Training and held-out text with their shared vocabulary. */
export interface Corpus {
  readonly name: string
  readonly vocabulary: Vocabulary
  readonly train: Int32Array
  readonly heldOut: Int32Array
}

/** The built-in corpus: training text from one seed, held-out text generated from another. */
export function builtinCorpus(trainChars = 200_000, heldOutChars = 20_000): Corpus {
  const train = generateCorpus(corpusSeeds.train, trainChars)
  const heldOut = generateCorpus(corpusSeeds.heldOut, heldOutChars)
  const vocabulary = Vocabulary.fromText(train, heldOut)
  return {
    name: 'built-in grammar corpus',
    vocabulary,
    train: vocabulary.encode(train),
    heldOut: vocabulary.encode(heldOut),
  }
}

export class CorpusError extends Error {
  override name = 'CorpusError'
}
