import { tensor } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import {
  builtinModel,
  type Checkpoint,
  CheckpointError,
  decodeCheckpoint,
  decodeSafetensors,
  encodeCheckpoint,
  encodeSafetensors,
  SafetensorsError,
  Vocabulary,
} from '../src/index.js'
import { seededParams } from './helpers.js'

const model = builtinModel('lstm', { vocabularySize: 3, hidden: 2, layers: 1 })
const checkpoint = (): Checkpoint => ({
  model,
  vocabulary: new Vocabulary(['\n', 'a', 'b']),
  params: seededParams(model, 1),
  optimizer: { exp_avg: { 'head.b': tensor([3], [1, 2, 3]) } },
  carried: { 'l0.h': tensor([1, 2], [1, 2]) },
  training: {
    config: {
      batch: 1,
      window: 4,
      steps: 10,
      lr: 0.01,
      schedule: { kind: 'cosine', warmup: 2, minFactor: 0.1 },
      optimizer: { kind: 'adam' },
      clip: 1,
      seed: 1,
    },
    step: 3,
    rng: 5,
    optimizerStep: 3,
    data: null,
  },
})

// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document, damaged freely by each case
type Json = any

/** A checkpoint whose metadata entry `key` is edited as parsed JSON. */
function withMetadata(key: string, edit: (doc: Json) => void): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(encodeCheckpoint(checkpoint()))
  const doc = JSON.parse(metadata[key]!)
  edit(doc)
  return encodeSafetensors({ ...tensors }, { ...metadata, [key]: JSON.stringify(doc) })
}

/** A safetensors file from a header object and data bytes. */
function rawSafetensors(header: unknown, data = 16): Uint8Array {
  const text = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header))
  const out = new Uint8Array(8 + text.length + data)
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true)
  out.set(text, 8)
  return out
}

describe('hostile checkpoints', () => {
  it('a tensor named optimizer.__proto__.head.b cannot reach Object.prototype', () => {
    const { tensors, metadata } = decodeSafetensors(encodeCheckpoint(checkpoint()))
    const hostile = {
      ...tensors,
      'optimizer.__proto__.head.b': { dtype: 'F32' as const, shape: [3], data: new Float32Array(3) },
      'optimizer.constructor.head.b': { dtype: 'F32' as const, shape: [3], data: new Float32Array(3) },
    }
    try {
      decodeCheckpoint(encodeSafetensors(hostile, metadata))
    } catch (e) {
      expect(e).toBeInstanceOf(CheckpointError)
    }
    expect(Object.hasOwn(Object.prototype, 'head.b')).toBe(false)
    expect(({} as Record<string, unknown>)['head.b']).toBeUndefined()
    const decoded = decodeSafetensors(encodeSafetensors(hostile, { __proto__: 'x', ...metadata }))
    expect(Object.getPrototypeOf(decoded.tensors)).toBeNull()
    expect(Object.getPrototypeOf(decoded.metadata)).toBeNull()
  })

  it('validates the model and training metadata, naming the field', () => {
    const cases: [string, (d: Json) => void, RegExp][] = [
      [
        'training',
        (d) => (d.config.optimizer.kind = 'bogus'),
        /^metadata training\.config\.optimizer\.kind: must be one of sgd, adam, adamw, got "bogus"$/,
      ],
      ['model', (d) => (d.dropout = 5), /^metadata model\.dropout: must be a number in \[0, 0\.95\], got 5$/],
      [
        'model',
        (d) => (d.embedding = -1),
        /^metadata model\.embedding: must be an integer in \[0, 65536\], got -1$/,
      ],
      [
        'training',
        (d) => (d.step = -5),
        /^metadata training\.step: must be an integer in \[0, 2147483648\], got -5$/,
      ],
      ['training', (d) => (d.step = 'abc'), /^metadata training\.step: must be an integer .* got "abc"$/],
      ['training', (d) => (d.rng = 2 ** 40), /^metadata training\.rng: must be an integer/],
      [
        'training',
        (d) => (d.config.batch = 1e12),
        /^metadata training\.config\.batch: must be an integer in \[1, 65536\]/,
      ],
      [
        'training',
        (d) => (d.config.schedule = 'fast'),
        /^metadata training\.config\.schedule: must be an object$/,
      ],
      ['training', (d) => (d.data = 42), /^metadata training\.data: must be a file name or null$/],
      ['vocabulary', (d) => d.push('a'), /^metadata vocabulary: lists a character twice$/],
      ['vocabulary', (d) => (d[1] = 'ab'), /^metadata vocabulary\[1\]: must be one character$/],
      [
        'cells',
        (d) => (d[0].name = 'x\u001b[2J'),
        /^metadata cells\[0\]\.name: must not contain control characters$/,
      ],
    ]
    for (const [key, edit, message] of cases) {
      let error: unknown
      try {
        decodeCheckpoint(withMetadata(key, edit))
      } catch (e) {
        error = e
      }
      expect(error, `${message}`).toBeInstanceOf(CheckpointError)
      expect((error as Error).message).toMatch(message)
    }
  })
})

describe('hostile safetensors headers', () => {
  const entry = (begin: number, end: number, shape = [(end - begin) / 4]) => ({
    dtype: 'F32',
    shape,
    data_offsets: [begin, end],
  })
  const failure = (bytes: Uint8Array) => {
    try {
      decodeSafetensors(bytes)
    } catch (e) {
      expect(e).toBeInstanceOf(SafetensorsError)
      return (e as Error).message
    }
    throw new Error('the file was accepted')
  }

  it('refuses overlapping and gapped data_offsets, bytes of no tensor and duplicate names', () => {
    expect(failure(rawSafetensors({ a: entry(0, 8), b: entry(4, 12), c: entry(12, 16) }))).toBe(
      "tensor 'b': data_offsets [4, 12] overlap another tensor's bytes",
    )
    expect(failure(rawSafetensors({ a: entry(0, 4), b: entry(8, 16) }))).toBe(
      "tensor 'b': data_offsets [8, 16] leave a gap of 4 bytes before it",
    )
    expect(failure(rawSafetensors({ a: entry(0, 8) }))).toBe(
      '8 data bytes after the last tensor belong to no tensor',
    )
    expect(
      failure(
        rawSafetensors(
          '{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}',
        ),
      ),
    ).toBe('header: the key "a" appears twice in one object')
  })

  it('refuses sizes that lie: huge shapes, huge header lengths, escapes in names', () => {
    expect(failure(rawSafetensors({ a: entry(0, 16, [2 ** 40, 2 ** 40, 4]) }))).toMatch(
      /^tensor 'a': data_offsets \[0, 16\] do not hold shape \[1099511627776,1099511627776,4\] of F32 within 16 data bytes$/,
    )
    const lying = rawSafetensors({ a: entry(0, 16) })
    new DataView(lying.buffer).setBigUint64(0, 2n ** 62n, true)
    expect(failure(lying)).toBe(`header length ${2n ** 62n} exceeds the limit of 100000000 bytes`)
    expect(failure(rawSafetensors({ 'a\u001b]0;x\u0007': entry(0, 8), b: entry(4, 16) }))).toMatch(
      /^tensor 'a\\u001b\]0;x\\u0007'|^tensor 'b'/,
    )
    expect(failure(rawSafetensors({ a: { ...entry(0, 16), extra: 1 } }))).toBe(
      `tensor 'a': unknown field "extra"`,
    )
  })
})
