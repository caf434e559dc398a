import { Rng } from '@cellgraph/graph'

/**
 * The built-in corpus: English-like text generated from a small grammar written for this project,
 * with structure a model can only predict by remembering: brackets and quotes opened many
 * characters earlier must be closed in order, a verb agrees in number with a subject separated from
 * it by a relative clause, and list items are numbered in sequence. Deterministic by seed.
 */

const nouns = [
  ['lantern', 'lanterns'],
  ['river', 'rivers'],
  ['engineer', 'engineers'],
  ['garden', 'gardens'],
  ['clock', 'clocks'],
  ['sailor', 'sailors'],
  ['window', 'windows'],
  ['teacher', 'teachers'],
  ['kettle', 'kettles'],
  ['signal', 'signals'],
  ['mountain', 'mountains'],
  ['pilot', 'pilots'],
] as const
const verbs = [
  ['sees', 'see'],
  ['follows', 'follow'],
  ['repairs', 'repair'],
  ['watches', 'watch'],
  ['remembers', 'remember'],
  ['carries', 'carry'],
  ['finds', 'find'],
  ['answers', 'answer'],
] as const
const adjectives = ['quiet', 'old', 'bright', 'small', 'heavy', 'patient', 'distant', 'green', 'careful']
const adverbs = ['slowly', 'often', 'again', 'never', 'gladly', 'at night']
const speakers = ['the captain said', 'she wrote', 'he asked', 'they replied', 'the note read']
const connectives = ['and', 'but', 'because', 'while', 'so']

class Writer {
  constructor(private readonly rng: Rng) {}

  pick<T>(items: readonly T[]): T {
    return items[this.rng.int(items.length)]!
  }

  chance(p: number): boolean {
    return this.rng.next() < p
  }

  nounPhrase(plural: boolean): string {
    const det = plural ? this.pick(['the', 'some', 'two', 'many']) : this.pick(['the', 'a', 'one', 'every'])
    const adj = this.chance(0.5) ? `${this.pick(adjectives)} ` : ''
    const noun = this.pick(nouns)[plural ? 1 : 0]
    const fixedDet = det === 'a' && /^[aeiou]/.test(adj || noun) ? 'an' : det
    return `${fixedDet} ${adj}${noun}`
  }

  /** A clause whose verb agrees with a subject that a relative clause may separate from it. */
  clause(depth: number): string {
    const plural = this.chance(0.5)
    let subject = this.nounPhrase(plural)
    if (depth < 2 && this.chance(0.35)) {
      const inner = this.chance(0.5)
      subject += ` that ${this.nounPhrase(inner)} ${this.verb(inner)}`
    }
    const verb = this.verb(plural)
    const object = this.nounPhrase(this.chance(0.5))
    const adverb = this.chance(0.3) ? ` ${this.pick(adverbs)}` : ''
    let text = `${subject} ${verb} ${object}${adverb}`
    if (depth < 3 && this.chance(0.25)) text += ` (${this.clause(depth + 1)})`
    if (depth < 2 && this.chance(0.3)) text += `, ${this.pick(connectives)} ${this.clause(depth + 1)}`
    return text
  }

  /** A verb agreeing with a subject of the given number (for a clause with its own subject). */
  verb(plural: boolean): string {
    return this.pick(verbs)[plural ? 1 : 0]
  }

  sentence(): string {
    const roll = this.rng.next()
    if (roll < 0.2) {
      const quote = this.clause(1)
      return `${capitalise(this.pick(speakers))}, "${capitalise(quote)}."`
    }
    if (roll < 0.3) return `${capitalise(this.clause(0))}?`
    return `${capitalise(this.clause(0))}.`
  }

  /** A numbered list: the model must count. */
  list(): string {
    const n = 2 + this.rng.int(4)
    const items = Array.from({ length: n }, (_, i) => `#${i + 1} ${this.nounPhrase(this.chance(0.5))}`)
    return `The list [${items.join('; ')}] ends here.`
  }

  paragraph(): string {
    const sentences: string[] = []
    const n = 2 + this.rng.int(4)
    for (let i = 0; i < n; i++) sentences.push(this.chance(0.12) ? this.list() : this.sentence())
    return sentences.join(' ')
  }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

/** At least `length` characters of built-in corpus (whole paragraphs, one per line) for `seed`. */
export function generateCorpus(seed: number, length: number): string {
  const writer = new Writer(new Rng(seed))
  const paragraphs: string[] = []
  let size = 0
  while (size < length) {
    const p = writer.paragraph()
    paragraphs.push(p)
    size += p.length + 1
  }
  return `${paragraphs.join('\n')}\n`
}

/** The seeds of the built-in corpus's splits: the held-out text comes from a different seed. */
export const corpusSeeds = { train: 1, heldOut: 2 } as const
