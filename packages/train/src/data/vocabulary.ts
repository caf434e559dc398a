/** A character vocabulary: ids are positions in a sorted list of the distinct characters. */
export class Vocabulary {
  private readonly index: Map<string, number>

  constructor(readonly chars: readonly string[]) {
    this.index = new Map(chars.map((c, i) => [c, i]))
    if (this.index.size !== chars.length) throw new Error('a vocabulary lists each character once')
  }

  /** The vocabulary of the characters (Unicode code points) in `texts`. */
  static fromText(...texts: string[]): Vocabulary {
    const set = new Set<string>()
    for (const t of texts) for (const c of t) set.add(c)
    return new Vocabulary([...set].sort())
  }

  get size(): number {
    return this.chars.length
  }

  encode(text: string, what = 'text'): Int32Array {
    const ids: number[] = []
    for (const c of text) {
      const id = this.index.get(c)
      if (id === undefined)
        throw new Error(`${what} contains the character ${JSON.stringify(c)}, which is not in the vocabulary`)
      ids.push(id)
    }
    return Int32Array.from(ids)
  }

  decode(ids: ArrayLike<number>): string {
    let s = ''
    for (let i = 0; i < ids.length; i++) s += this.chars[ids[i]!] ?? '\uFFFD'
    return s
  }
}
