import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  builtinCorpus,
  fileCorpus,
  generateCorpus,
  NgramModel,
  oneHot,
  padSequences,
  StreamBatcher,
  Vocabulary,
} from '../src/node.js'

describe('built-in corpus', () => {
  it('is deterministic by seed, and another seed gives other text', () => {
    expect(generateCorpus(1, 2000)).toBe(generateCorpus(1, 2000))
    expect(generateCorpus(2, 2000)).not.toBe(generateCorpus(1, 2000))
  })

  it('closes every bracket and quote it opens, in order', () => {
    const text = generateCorpus(3, 50_000)
    for (const line of text.split('\n')) {
      const open: string[] = []
      let quoted = false
      for (const c of line) {
        if (c === '(' || c === '[') open.push(c)
        if (c === ')') expect(open.pop()).toBe('(')
        if (c === ']') expect(open.pop()).toBe('[')
        if (c === '"') quoted = !quoted
      }
      expect(open).toEqual([])
      expect(quoted).toBe(false)
    }
  })

  it('makes verbs agree with subjects across a relative clause', () => {
    const text = generateCorpus(4, 50_000)
    const verbs = new Set(
      'sees see follows follow repairs repair watches watch remembers remember carries carry finds find answers answer'.split(
        ' ',
      ),
    )
    let checked = 0
    // A singular subject ("one lantern that two sailors see ...") : the second verb is its own.
    for (const m of text.matchAll(/\b(?:one|every|a|an) (?:\w+ )?\w+ that ([^,.(]*)/gi)) {
      const found = m[1]!.split(' ').filter((w) => verbs.has(w))
      if (found.length < 2) continue
      expect(found[1]!.endsWith('s')).toBe(true)
      checked++
    }
    expect(checked).toBeGreaterThan(10)
  })

  it('shares one vocabulary between the splits', () => {
    const c = builtinCorpus(20_000, 5_000)
    expect(c.vocabulary.decode(c.heldOut)).toBe(generateCorpus(2, 5_000))
  })
})

describe('data files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellgraph-data-'))
  const file = (name: string, content: string | Uint8Array) => {
    writeFileSync(join(dir, name), content)
    return join(dir, name)
  }

  it('splits a UTF-8 file into training and held-out text', () => {
    const c = fileCorpus(file('ok.txt', 'héllo wörld, '.repeat(10)))
    expect(c.train.length + c.heldOut.length).toBe(130)
    expect(c.heldOut.length).toBe(13)
    expect(c.vocabulary.chars).toContain('ö')
  })

  it('says what is wrong with a bad file', () => {
    expect(() => fileCorpus(join(dir, 'missing.txt'))).toThrow(/cannot read data file .*ENOENT/)
    expect(() => fileCorpus(file('empty.txt', ''))).toThrow(/is empty/)
    expect(() => fileCorpus(file('bin', Uint8Array.from([1, 0, 2, 3])))).toThrow(/looks binary/)
    expect(() => fileCorpus(file('latin1.txt', Uint8Array.from([0x68, 0xe9, 0x6c])))).toThrow(
      /not valid UTF-8/,
    )
    expect(() => fileCorpus(file('short.txt', 'abc'))).toThrow(/too short/)
    expect(() => fileCorpus(dir)).toThrow(/is a directory/)
  })
})

describe('batching', () => {
  it('cuts a stream into lanes and consecutive windows with next-token targets', () => {
    const stream = Int32Array.from({ length: 26 }, (_, i) => i)
    const b = new StreamBatcher(stream, 2, 3) // lanes of 13: windows [0,3) [3,6) [6,9) [9,12)
    expect(b.windows).toBe(4)
    const w = b.window(1)
    // time-major: t=0 → lanes at 3 and 16
    expect(Array.from(w.inputs)).toEqual([3, 16, 4, 17, 5, 18])
    expect(Array.from(w.targets)).toEqual([4, 17, 5, 18, 6, 19])
    expect(w.fresh).toBe(false)
    expect(b.window(4).fresh).toBe(true)
    expect(Array.from(b.window(4).inputs)).toEqual(Array.from(b.window(0).inputs))
  })

  it('pads sequences of different lengths with a mask', () => {
    const p = padSequences([Int32Array.from([1, 2, 3]), Int32Array.from([4, 5])], 0)
    expect(p.steps).toBe(2)
    expect(p.lengths).toEqual([2, 1])
    expect(Array.from(p.inputs)).toEqual([1, 4, 2, 0])
    expect(Array.from(p.targets)).toEqual([2, 5, 3, 0])
    expect(Array.from(p.mask)).toEqual([1, 1, 1, 0])
  })

  it('encodes one-hot rows', () => {
    expect(Array.from(oneHot(Int32Array.from([2, 0]), 3))).toEqual([0, 0, 1, 1, 0, 0])
  })

  it('refuses a stream too short for the batch', () => {
    expect(() => new StreamBatcher(new Int32Array(10), 4, 5)).toThrow(/too short/)
  })
})

describe('n-gram baselines (Witten-Bell), hand-computed', () => {
  const v = new Vocabulary(['a', 'b', 'c'])
  const train = v.encode('abab')

  it('unigram: (count + types·uniform) / (total + types)', () => {
    const m = new NgramModel(1, 3, train)
    expect(m.probability(v.encode('a'), 0)).toBeCloseTo((2 + 2 / 3) / 6, 14)
    expect(m.probability(v.encode('c'), 0)).toBeCloseTo(2 / 3 / 6, 14)
  })

  it('bigram interpolates with the unigram', () => {
    const m = new NgramModel(2, 3, train)
    const unigramB = (2 + 2 / 3) / 6
    expect(m.probability(v.encode('ab'), 1)).toBeCloseTo((2 + unigramB) / 3, 14)
    // Context 'b' was seen once (followed by a): P(b|b) = (0 + 1·P(b)) / (1 + 1)
    expect(m.probability(v.encode('bb'), 1)).toBeCloseTo(unigramB / 2, 14)
  })

  it('gives probabilities that sum to one over the vocabulary', () => {
    const m = new NgramModel(5, 3, v.encode('abcabcaabbcc'))
    for (const context of ['', 'a', 'ab', 'cab', 'cca', 'bbbb']) {
      const total = ['a', 'b', 'c'].reduce((s, c) => {
        const ids = v.encode(context + c)
        return s + m.probability(ids, ids.length - 1)
      }, 0)
      expect(total).toBeCloseTo(1, 12)
    }
  })

  it('orders the baselines on the built-in corpus: 5-gram < bigram < unigram bits per character', () => {
    const c = builtinCorpus(50_000, 10_000)
    const bpc = (n: number) => new NgramModel(n, c.vocabulary.size, c.train).bitsPerChar(c.heldOut)
    const [uni, bi, five] = [bpc(1), bpc(2), bpc(5)]
    expect(uni).toBeLessThan(Math.log2(c.vocabulary.size))
    expect(bi).toBeLessThan(uni)
    expect(five).toBeLessThan(bi)
  })
})
