import { elementCount, evaluate, Rng, type Tensor, tensor } from '@cellgraph/graph'
import { fromBFloat16Bits, fromHalfBits, toBFloat16Bits, toHalfBits } from '@cellgraph/train'
import { describe, expect, it } from 'vitest'
import { exportOnnx, importOnnx, loadTorchStateDict } from '../src/index.js'
import { type OnnxNode, writeModel, writeTensor, writeValueInfo } from '../src/onnx/onnxProto.js'
import type { ProtoWriter } from '../src/onnx/protobufWriter.js'
import { fixtureBytes, load, maxAbsDiff, torchCases, torchFile, torchOnnx } from './fixtures.js'
import { runOrt } from './ort.js'

const rng = new Rng(9)
const values = (dims: number[], scale = 1) =>
  tensor(
    dims,
    Array.from({ length: elementCount(dims) }, () => Math.fround((rng.next() * 2 - 1) * scale)),
  )

/** One recurrent operator as a whole ONNX model, weights as initializers, as other tools write it. */
function singleOpModel(
  op: 'LSTM' | 'GRU' | 'RNN',
  attrs: OnnxNode['attrs'],
  sizes: { I: number; H: number; D: number },
  extra: { P?: boolean; lengths?: boolean; states?: boolean } = {},
) {
  const G = { LSTM: 4, GRU: 3, RNN: 1 }[op]
  const { I, H, D } = sizes
  const inits: ((w: ProtoWriter) => void)[] = []
  const init = (name: string, t: Tensor) => inits.push((w) => writeTensor(w, name, t.dims, t.data))
  init('W', values([D, G * H, I], 0.6))
  init('R', values([D, G * H, H], 0.6))
  init('B', values([D, 2 * G * H], 0.3))
  if (extra.P) init('P', values([D, 3 * H], 0.5))
  const states = op === 'LSTM' ? ['initial_h', 'initial_c'] : ['initial_h']
  const inputs = [
    'X',
    'W',
    'R',
    'B',
    extra.lengths ? 'seq_lens' : '',
    ...(extra.states ? states : ['', ''].slice(0, states.length)),
  ]
  if (extra.P) inputs.push('P')
  while (inputs.at(-1) === '') inputs.pop()
  const outputs = op === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h']
  const graphInputs = [(w: ProtoWriter) => writeValueInfo(w, 'X', ['T', 'B', I])]
  if (extra.lengths) graphInputs.push((w) => writeValueInfo(w, 'seq_lens', ['B'], 'int32'))
  if (extra.states) for (const s of states) graphInputs.push((w) => writeValueInfo(w, s, [D, 'B', H]))
  return writeModel(
    'test',
    [{ op, name: 'rnn', inputs, outputs, attrs: { hidden_size: { int: H }, ...attrs } }],
    inits,
    graphInputs,
    [
      (w) => writeValueInfo(w, 'Y', ['T', D, 'B', H]),
      ...outputs.slice(1).map((o) => (w: ProtoWriter) => writeValueInfo(w, o, [D, 'B', H])),
    ],
  )
}

/** Imports `bytes`, runs it in cellgraph (float64) and in ONNX Runtime, and compares every output. */
async function expectSameAsOrt(bytes: Uint8Array, feeds: Record<string, Tensor | Int32Array>) {
  const model = importOnnx(bytes)
  const ours = model.outputsOf(evaluate(model.graph, { ...model.params, ...model.inputsFrom(feeds) }))
  const theirs = await runOrt(bytes, feeds)
  expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort())
  for (const name of Object.keys(theirs)) expect(maxAbsDiff(ours[name]!, theirs[name]!)).toBeLessThan(2e-5)
  return model
}

const T = 5
const B = 2

describe('ONNX import: outputs as ONNX Runtime computes them', () => {
  it('an LSTM operator with zero initial states and only X, W, R, B', async () => {
    const model = await expectSameAsOrt(singleOpModel('LSTM', {}, { I: 3, H: 4, D: 1 }), {
      X: values([T, B, 3]),
    })
    expect(model.cells[0]!.name).toBe('lstm')
    expect(model.outputs).toEqual({
      Y: { kind: 'Y', layer: 0 },
      Y_h: { kind: 'state', layers: [0], state: 'h' },
      Y_c: { kind: 'state', layers: [0], state: 'c' },
    })
  })

  it('a bidirectional peephole LSTM with lengths, initial states and clip', async () => {
    const bytes = singleOpModel(
      'LSTM',
      { direction: { string: 'bidirectional' }, clip: { float: 0.8 } },
      { I: 3, H: 4, D: 2 },
      { P: true, lengths: true, states: true },
    )
    const model = await expectSameAsOrt(bytes, {
      X: values([T, B, 3], 2),
      seq_lens: Int32Array.from([3, 5]),
      initial_h: values([2, B, 4]),
      initial_c: values([2, B, 4]),
    })
    expect(model.cells[0]!.name).toBe('peephole_lstm')
  })

  for (const lbr of [0, 1])
    it(`a reverse GRU with linear_before_reset=${lbr}`, async () => {
      const bytes = singleOpModel(
        'GRU',
        { direction: { string: 'reverse' }, linear_before_reset: { int: lbr } },
        { I: 3, H: 4, D: 1 },
        { states: true },
      )
      const model = await expectSameAsOrt(bytes, { X: values([T, B, 3], 2), initial_h: values([1, B, 4]) })
      expect(model.cells[0]!.name).toBe(lbr ? 'gru' : 'onnx_gru')
      // and out again: the exported model runs in ONNX Runtime as the imported one does
      const again = exportOnnx(model)
      const feeds = { x: values([T, B, 3]), 'l0.h0': values([1, B, 4]) }
      const first = await runOrt(again, feeds)
      const ours = evaluate(model.graph, {
        ...model.params,
        x: feeds.x,
        'l0.h0': tensor([B, 4], feeds['l0.h0'].data),
      })
      expect(maxAbsDiff(first.y!, ours.y!)).toBeLessThan(2e-5)
    })

  it('a bidirectional RNN with ReLU (the cell rnn_relu)', async () => {
    const bytes = singleOpModel(
      'RNN',
      { direction: { string: 'bidirectional' }, activations: { strings: ['Relu', 'Relu'] } },
      { I: 3, H: 4, D: 2 },
    )
    const model = await expectSameAsOrt(bytes, { X: values([T, B, 3], 2) })
    expect(model.cells[0]!.name).toBe('rnn_relu')
  })

  it('an RNN with lengths', async () => {
    const bytes = singleOpModel(
      'RNN',
      { activations: { strings: ['Tanh'] } },
      { I: 3, H: 4, D: 1 },
      { lengths: true },
    )
    await expectSameAsOrt(bytes, { X: values([T, B, 3], 2), seq_lens: Int32Array.from([5, 2]) })
  })

  for (const [name, c] of Object.entries(torchCases))
    it(`${name}: cellgraph's own export comes back as the same model`, async () => {
      const loaded = loadTorchStateDict(torchFile(c), { ...c.module, lengths: c.lengths !== undefined })
      const bytes = exportOnnx(loaded)
      const D = c.module.bidirectional ? 2 : 1
      const feeds: Record<string, Tensor | Int32Array> = { x: values([T, B, 3]) }
      if (c.lengths) feeds.sequence_lens = Int32Array.from(c.lengths)
      loaded.cells.forEach((cell, k) => {
        for (const s of cell.state) feeds[`l${k}.${s}0`] = values([D, B, 4])
      })
      const model = await expectSameAsOrt(bytes, feeds)
      expect(Object.keys(model.params).sort()).toEqual(Object.keys(loaded.params).sort())
      for (const [p, t] of Object.entries(loaded.params))
        expect(maxAbsDiff(model.params[p]!, t)).toBeLessThan(1e-6)
    })
})

describe("ONNX import of PyTorch's own exports (torch.onnx.export)", () => {
  for (const [name, c] of Object.entries(torchOnnx))
    it(`${name}: PyTorch's outputs, and ONNX Runtime's`, async () => {
      const feeds = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, load(v)]))
      const model = await expectSameAsOrt(fixtureBytes(c.file), feeds)
      const ours = model.outputsOf(evaluate(model.graph, { ...model.params, ...model.inputsFrom(feeds) }))
      for (const [k, v] of Object.entries(c.outputs)) expect(maxAbsDiff(ours[k]!, load(v))).toBeLessThan(1e-5)
    })
})

describe('ONNX import of 16-bit weights', () => {
  it('float16 and bfloat16 initializers hold the same weights as their float32 values', () => {
    const bits = { float16: toHalfBits, bfloat16: toBFloat16Bits }
    for (const [type, code] of [
      ['float16', 10],
      ['bfloat16', 16],
    ] as const) {
      const W = values([1, 4, 2], 0.7)
      const R = values([1, 4, 4], 0.7)
      const half = (name: string, t: Tensor) => (w: ProtoWriter) => {
        for (const d of t.dims) w.int(1, d)
        w.int(2, code).string(8, name)
        const raw = new Uint8Array(2 * t.data.length)
        t.data.forEach((v, i) => new DataView(raw.buffer).setUint16(2 * i, bits[type](v), true))
        w.bytes(9, raw)
      }
      const model = (write: (name: string, t: Tensor) => (w: ProtoWriter) => void) =>
        writeModel(
          't',
          [
            {
              op: 'RNN',
              name: 'r',
              inputs: ['X', 'W', 'R'],
              outputs: ['Y'],
              attrs: { hidden_size: { int: 4 } },
            },
          ],
          [write('W', W), write('R', R)],
          [(w) => writeValueInfo(w, 'X', ['T', 'B', 2])],
          [(w) => writeValueInfo(w, 'Y', ['T', 1, 'B', 4])],
        )
      const rounded = (t: Tensor) =>
        tensor(
          t.dims,
          t.data.map((v) =>
            type === 'float16' ? fromHalfBits(toHalfBits(v)) : fromBFloat16Bits(toBFloat16Bits(v)),
          ),
        )
      const fromHalf = importOnnx(model(half)).params
      const fromFloat = importOnnx(
        model((name, t) => (w) => writeTensor(w, name, t.dims, rounded(t).data)),
      ).params
      expect(fromHalf).toEqual(fromFloat)
    }
  })
})

describe('ONNX import errors name the attribute, operator or field', () => {
  const sizes = { I: 3, H: 4, D: 1 }
  it.each([
    [
      singleOpModel('LSTM', { input_forget: { int: 1 } }, sizes),
      /node 'rnn' \(LSTM\): input_forget=1 is not supported/,
    ],
    [singleOpModel('LSTM', { layout: { int: 1 } }, sizes), /layout=1 \(batch-first\) is not supported/],
    [
      singleOpModel('RNN', { activations: { strings: ['Sigmoid'] } }, sizes),
      /activations \[Sigmoid\] are not supported \(only Tanh per direction, or Relu\)/,
    ],
    [
      singleOpModel('GRU', { activation_alpha: { floats: [1] } }, sizes),
      /attribute 'activation_alpha' is not supported/,
    ],
    [singleOpModel('GRU', { foo: { int: 1 } }, sizes), /unknown attribute 'foo'/],
    [
      singleOpModel('GRU', { direction: { string: 'sideways' } }, sizes),
      /direction 'sideways' is not forward, reverse or bidirectional/,
    ],
    [
      singleOpModel('LSTM', { hidden_size: { int: 5 } }, sizes),
      /W 'W' has shape \[1,16,3\], expected \[1,20,3\]/,
    ],
  ])('%#', (bytes, message) => {
    expect(() => importOnnx(bytes)).toThrow(message)
  })

  it('bad files: truncated, lying lengths, other operators', () => {
    const good = singleOpModel('LSTM', {}, sizes)
    expect(() => importOnnx(good.subarray(0, good.length - 7))).toThrow(
      /claims \d+ bytes, only \d+ remain|truncated/,
    )
    expect(() => importOnnx(new Uint8Array([0x3a, 0xff, 0xff, 0xff, 0x7f]))).toThrow(
      /claims 268435455 bytes, only 0 remain/,
    )
    expect(() => importOnnx(new TextEncoder().encode('not onnx'))).toThrow(/ONNX model/)
    const relu = writeModel(
      't',
      [{ op: 'Relu', inputs: ['X'], outputs: ['Y'] }],
      [],
      [(w) => writeValueInfo(w, 'X', [1])],
      [(w) => writeValueInfo(w, 'Y', [1])],
    )
    expect(() => importOnnx(relu)).toThrow('ONNX graph: no LSTM, GRU or RNN operator')
    const lstmThenRelu = writeModel(
      't',
      [
        {
          op: 'LSTM',
          name: 'l',
          inputs: ['X', 'W', 'R'],
          outputs: ['Y'],
          attrs: { hidden_size: { int: 1 } },
        },
        { op: 'Relu', name: 'act', inputs: ['Y'], outputs: ['Z'] },
      ],
      [
        (w) => writeTensor(w, 'W', [1, 4, 1], [1, 2, 3, 4]),
        (w) => writeTensor(w, 'R', [1, 4, 1], [1, 2, 3, 4]),
      ],
      [(w) => writeValueInfo(w, 'X', ['T', 'B', 1])],
      [(w) => writeValueInfo(w, 'Y', ['T', 1, 'B', 1])],
    )
    expect(() => importOnnx(lstmThenRelu)).toThrow("node 'act' (Relu): operator 'Relu' is not supported here")
  })
})
