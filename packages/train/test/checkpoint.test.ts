import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tensor } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import {
  builtinModel,
  type Checkpoint,
  cellModel,
  decodeCheckpoint,
  decodeSafetensors,
  encodeCheckpoint,
  encodeSafetensors,
  loadCheckpoint,
  saveCheckpoint,
  Vocabulary,
} from '../src/node.js'
import { seededParams } from './helpers.js'

const vocabulary = new Vocabulary(['\n', ' ', 'a', 'b', 'c'])
const lstm = builtinModel('lstm', { vocabularySize: 5, hidden: 3, layers: 2, embedding: 4, dropout: 0.1 })

function sample(model = lstm, dtype: 'F32' | 'F64' = 'F64'): Checkpoint {
  const params = seededParams(model, 5)
  return {
    model,
    vocabulary,
    params,
    optimizer: { exp_avg: { 'head.b': tensor([5], [1, 2, 3, 4, 5]) } },
    carried: { 'l0.h': tensor([2, 3], [1, 2, 3, 4, 5, 6]) },
    training: { step: 12, rng: 77, hyper: { lr: 0.01 } },
    dtype,
  }
}

describe('safetensors', () => {
  it('round-trips tensors and metadata, with an 8-byte aligned data section', () => {
    const bytes = encodeSafetensors(
      {
        w: { dtype: 'F32', shape: [2, 2], data: Float32Array.from([1, -2, 3.5, 4]) },
        n: { dtype: 'I64', shape: [1], data: Float64Array.from([7]) },
      },
      { note: 'hello' },
    )
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true))
    expect((8 + headerLength) % 8).toBe(0)
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)))
    expect(header.w).toEqual({ dtype: 'F32', shape: [2, 2], data_offsets: [8, 24] })
    expect(header.n).toEqual({ dtype: 'I64', shape: [1], data_offsets: [0, 8] })
    const back = decodeSafetensors(bytes)
    expect(Array.from(back.tensors.w!.data)).toEqual([1, -2, 3.5, 4])
    expect(Array.from(back.tensors.n!.data)).toEqual([7])
    expect(back.metadata).toEqual({ note: 'hello' })
  })

  it('reads a file laid out by hand', () => {
    const header = '{"x":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}'
    const bytes = new Uint8Array(8 + header.length + 16)
    const view = new DataView(bytes.buffer)
    view.setBigUint64(0, BigInt(header.length), true)
    bytes.set(new TextEncoder().encode(header), 8)
    view.setFloat64(8 + header.length, 0.25, true)
    view.setFloat64(16 + header.length, -8, true)
    expect(Array.from(decodeSafetensors(bytes).tensors.x!.data)).toEqual([0.25, -8])
  })

  it('rejects truncated and malformed files with a clear message', () => {
    const good = encodeSafetensors({ w: { dtype: 'F32', shape: [4], data: new Float32Array(4) } })
    expect(() => decodeSafetensors(good.subarray(0, good.length - 4))).toThrow(/tensor 'w': data_offsets/)
    expect(() => decodeSafetensors(new Uint8Array(3))).toThrow(/shorter than the 8-byte header/)
    expect(() => decodeSafetensors(new TextEncoder().encode('just some text here'))).toThrow(/header length/)
  })
})

describe('checkpoints', () => {
  it('round-trip parameters, optimizer state, carried state and metadata exactly', () => {
    const c = sample()
    const back = decodeCheckpoint(encodeCheckpoint(c))
    for (const [name, t] of Object.entries(c.params))
      expect(Array.from(back.params[name]!.data)).toEqual(Array.from(t.data))
    expect(Array.from(back.optimizer.exp_avg!['head.b']!.data)).toEqual([1, 2, 3, 4, 5])
    expect(back.carried['l0.h']!.dims).toEqual([2, 3])
    expect(back.training).toEqual(c.training)
    expect(back.vocabulary.chars).toEqual(vocabulary.chars)
    expect(back.model.cells.map((cell) => cell.name)).toEqual(['lstm', 'lstm'])
    expect(back.model.embedding).toBe(4)
    expect(back.model.dropout).toBe(0.1)
  })

  it("stores PyTorch's parameter names and layouts", () => {
    const c = sample(lstm, 'F32')
    const { tensors } = decodeSafetensors(encodeCheckpoint(c))
    expect(
      Object.keys(tensors)
        .filter((n) => !n.includes('.l') && n.startsWith('rnn.'))
        .sort(),
    ).toEqual(
      [
        'rnn.bias_hh_l0',
        'rnn.bias_hh_l1',
        'rnn.bias_ih_l0',
        'rnn.bias_ih_l1',
        'rnn.weight_hh_l0',
        'rnn.weight_hh_l1',
        'rnn.weight_ih_l0',
        'rnn.weight_ih_l1',
      ].sort(),
    )
    expect(tensors['rnn.weight_ih_l0']!.shape).toEqual([12, 4])
    expect(tensors['rnn.weight_hh_l1']!.shape).toEqual([12, 3])
    expect(tensors['encoder.weight']!.shape).toEqual([5, 4])
    expect(tensors['decoder.weight']!.shape).toEqual([5, 3])
    expect(tensors['rnn.weight_ih_l0']!.dtype).toBe('F32')
    // weight_hh_l0 rows 3..5 are the forget gate (i, f, g, o), its columns the h part of f.W.
    const f = c.params['l0.f.W']!
    const hh = tensors['rnn.weight_hh_l0']!.data
    expect(hh[3 * 3 + 1]).toBeCloseTo(f.data[0 * 7 + 1]!, 6)
    // encoder.weight is the embedding transposed: row = character, column = embedding unit.
    expect(tensors['encoder.weight']!.data[2 * 4 + 1]).toBeCloseTo(c.params['embed.W']!.data[1 * 5 + 2]!, 6)
  })

  it('keeps cellgraph names for cells without a PyTorch layout', () => {
    const model = builtinModel('coupled_lstm', { vocabularySize: 5, hidden: 2, layers: 1 })
    const { tensors } = decodeSafetensors(encodeCheckpoint(sample(model)))
    expect(Object.keys(tensors)).toContain('rnn.l0.f.W')
    expect(decodeCheckpoint(encodeCheckpoint(sample(model))).params['l0.f.W']!.dims).toEqual([2, 7])
  })

  it('round-trips a model around a cell loaded from JSON', () => {
    const cellJson = JSON.stringify(lstm.cells[1]) // a cell document: sizes input 3, hidden 3
    const model = cellModel(`{"format":"cellgraph-cell","version":1,${cellJson.slice(1)}`, 5)
    expect(model.embedding).toBe(3)
    const back = decodeCheckpoint(encodeCheckpoint(sample(model)))
    expect(back.model.cells[0]!.sizes).toEqual({ input: 3, hidden: 3 })
  })

  function tamper(edit: (tensors: Record<string, unknown>) => void): Uint8Array {
    const { tensors, metadata } = decodeSafetensors(encodeCheckpoint(sample()))
    const copy: Record<string, unknown> = { ...tensors }
    edit(copy)
    return encodeSafetensors(copy as never, metadata)
  }

  it('names a missing tensor', () => {
    const bytes = tamper((t) => delete t['rnn.weight_hh_l1'])
    expect(() => decodeCheckpoint(bytes)).toThrow("tensor 'rnn.weight_hh_l1' is missing")
  })

  it('names a tensor of the wrong shape, with both shapes', () => {
    const bytes = tamper((t) => (t['decoder.bias'] = { dtype: 'F64', shape: [6], data: new Float64Array(6) }))
    expect(() => decodeCheckpoint(bytes)).toThrow(
      "tensor 'decoder.bias' has shape [6], the model expects [5]",
    )
  })

  it('names a tensor of the wrong dtype', () => {
    const bytes = tamper((t) => (t['decoder.bias'] = { dtype: 'I32', shape: [5], data: new Int32Array(5) }))
    expect(() => decodeCheckpoint(bytes)).toThrow("tensor 'decoder.bias' has dtype I32, expected F32 or F64")
  })

  it('names an unexpected tensor', () => {
    const bytes = tamper(
      (t) => (t['rnn.weight_ih_l7'] = { dtype: 'F64', shape: [1], data: new Float64Array(1) }),
    )
    expect(() => decodeCheckpoint(bytes)).toThrow("unexpected tensor 'rnn.weight_ih_l7'")
  })

  it('rejects a file that is not a checkpoint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cellgraph-'))
    writeFileSync(join(dir, 'x.safetensors'), encodeSafetensors({}))
    expect(() => loadCheckpoint(join(dir, 'x.safetensors'))).toThrow(/not a cellgraph checkpoint/)
    expect(() => loadCheckpoint(join(dir, 'nope'))).toThrow(/cannot read checkpoint .*ENOENT/)
  })

  it('survives a SIGKILL in the middle of a save: the old checkpoint stays intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cellgraph-'))
    const path = join(dir, 'model.safetensors')
    saveCheckpoint(path, sample())
    const old = readFileSync(path)
    const script = fileURLToPath(new URL('./fixtures/killedSave.mjs', import.meta.url))
    const child = spawn(process.execPath, [script, path], { stdio: ['ignore', 'pipe', 'inherit'] })
    const outcome = await new Promise<string>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().startsWith('saving')) {
          // Let the write begin, then kill it.
          setTimeout(() => child.kill('SIGKILL'), 15)
        }
      })
      child.on('exit', (_code, signal) => resolve(signal ?? 'exited'))
    })
    expect(outcome).toBe('SIGKILL')
    // The kill landed during the write: its temporary file is still there, unrenamed...
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(true)
    // ...and the checkpoint is byte-for-byte the old one, and still loads.
    expect(Buffer.compare(readFileSync(path), old)).toBe(0)
    expect(loadCheckpoint(path).training.step).toBe(12)
    expect(existsSync(path)).toBe(true)
  }, 60_000)
})
