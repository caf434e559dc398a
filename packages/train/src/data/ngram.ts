/**
 * Count-based character models, the baselines a neural model must beat: an order-n model with
 * interpolated Witten-Bell smoothing, which backs off from the longest context to shorter ones and
 * finally to the uniform distribution over the vocabulary, so every character keeps some
 * probability. Order 1 is a unigram model, order 2 a bigram model.
 */
export class NgramModel {
  /** context (ids joined by ',') -> next id -> count, for every context length 0..order−1. */
  private readonly counts: Map<string, Map<number, number>>[]
  private readonly totals: Map<string, number>[]

  constructor(
    readonly order: number,
    readonly vocabularySize: number,
    train: Int32Array,
  ) {
    this.counts = Array.from({ length: order }, () => new Map())
    this.totals = Array.from({ length: order }, () => new Map())
    for (let i = 0; i < train.length; i++)
      for (let n = 0; n < order && n <= i; n++) {
        const key = contextKey(train, i, n)
        let next = this.counts[n]!.get(key)
        if (!next) this.counts[n]!.set(key, (next = new Map()))
        next.set(train[i]!, (next.get(train[i]!) ?? 0) + 1)
        this.totals[n]!.set(key, (this.totals[n]!.get(key) ?? 0) + 1)
      }
  }

  /** P(ids[i] | the up to order−1 ids before it). */
  probability(ids: Int32Array, i: number): number {
    let p = 1 / this.vocabularySize
    for (let n = 0; n < this.order && n <= i; n++) {
      const key = contextKey(ids, i, n)
      const next = this.counts[n]!.get(key)
      if (!next) break // longer contexts were never seen either
      const total = this.totals[n]!.get(key)!
      const types = next.size
      p = ((next.get(ids[i]!) ?? 0) + types * p) / (total + types)
    }
    return p
  }

  /** Average bits per character on `ids`. */
  bitsPerChar(ids: Int32Array): number {
    let bits = 0
    for (let i = 0; i < ids.length; i++) bits -= Math.log2(this.probability(ids, i))
    return bits / ids.length
  }
}

const contextKey = (ids: Int32Array, i: number, n: number): string => {
  let key = ''
  for (let j = i - n; j < i; j++) key += `${ids[j]},`
  return key
}

/** Unigram, bigram and 5-gram bits per character on the held-out split. */
export function ngramBaselines(train: Int32Array, heldOut: Int32Array, vocabularySize: number) {
  const bpc = (order: number) => new NgramModel(order, vocabularySize, train).bitsPerChar(heldOut)
  return { unigram: bpc(1), bigram: bpc(2), fivegram: bpc(5) }
}
