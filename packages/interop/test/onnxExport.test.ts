import {
  cellParams,
  elementCount,
  evaluate,
  lengthMask,
  peepholeLstm,
  Rng,
  seedGru,
  sequenceGraph,
  stackCells,
  type Tensor,
  tensor,
} from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { exportOnnx, loadTorchStateDict, type SequenceModel } from '../src/index.js'
import { maxAbsDiff, torchCases, torchFile } from './fixtures.js'
import { runOrt, stackDirections } from './ort.js'

const T = 5
const B = 2

/** Seeded inputs of a model: x, per-direction initial states and, with lengths, their mask. */
function modelInputs(model: SequenceModel, seed: number, lengths?: number[]) {
  const rng = new Rng(seed)
  const values = (dims: number[]) =>
    tensor(
      dims,
      Array.from({ length: elementCount(dims) }, () => Math.fround(rng.next() * 2 - 1)),
    )
  const prefixes = (k: number) =>
    model.options?.direction === 'bidirectional' ? [`l${k}.`, `l${k}.reverse.`] : [`l${k}.`]
  const inputs: Record<string, Tensor> = { x: values([T, B, model.cells[0]!.sizes.input]) }
  if (lengths) inputs.mask = lengthMask(lengths, T)
  model.cells.forEach((cell, k) => {
    for (const p of prefixes(k))
      for (const s of cell.state) inputs[`${p}${s}0`] = values([B, cell.sizes.hidden])
  })
  return { inputs, prefixes }
}

/** Exports `model`, runs it in ONNX Runtime and compares every output with cellgraph's float64 run. */
async function expectOrtAgrees(model: SequenceModel, seed: number, lengths?: number[]) {
  const { inputs, prefixes } = modelInputs(model, seed, lengths)
  const ours = evaluate(sequenceGraph(model.cells, model.options), { ...model.params, ...inputs })
  const feeds: Record<string, Tensor | Int32Array> = { x: inputs.x! }
  if (lengths) feeds.sequence_lens = Int32Array.from(lengths)
  model.cells.forEach((cell, k) => {
    for (const s of cell.state)
      feeds[`l${k}.${s}0`] = stackDirections(prefixes(k).map((p) => inputs[`${p}${s}0`]!))
  })
  const theirs = await runOrt(exportOnnx(model), feeds)
  expect(maxAbsDiff(theirs.y!, ours.y!)).toBeLessThan(2e-5)
  model.cells.forEach((cell, k) => {
    for (const s of cell.state) {
      const expected = stackDirections(prefixes(k).map((p) => ours[`${p}${s}`]!))
      expect(maxAbsDiff(theirs[`l${k}.${s}`]!, expected)).toBeLessThan(2e-5)
    }
  })
}

describe('ONNX export: ONNX Runtime runs the exported operators as cellgraph does (float32 tolerance)', () => {
  for (const [name, c] of Object.entries(torchCases))
    it(`${name} (PyTorch's weights)`, async () => {
      const model = loadTorchStateDict(torchFile(c), { ...c.module, lengths: c.lengths !== undefined })
      await expectOrtAgrees(model, 1, c.lengths)
    })

  it('a bidirectional peephole LSTM (ONNX P) with lengths', async () => {
    const cells = stackCells(peepholeLstm, { input: 3, hidden: 4, layers: 2, direction: 'bidirectional' })
    const rng = new Rng(5)
    const params: Record<string, Tensor> = {}
    cells.forEach((cell, k) => {
      for (const prefix of [`l${k}.`, `l${k}.reverse.`])
        for (const p of cellParams(cell))
          params[prefix + p.name] = tensor(
            p.shape,
            Array.from({ length: elementCount(p.shape) }, () => rng.next() - 0.5),
          )
    })
    await expectOrtAgrees(
      { cells, options: { direction: 'bidirectional', lengths: true }, params },
      2,
      [3, 5],
    )
  })

  for (const [name, key] of [
    ['LSTM', 'lstm_l2_bi_f32'],
    ['GRU', 'gru_l2_bi_bf_f32'],
    ['RNN', 'rnn_l2_bf16'],
  ] as const)
    it(`clip on a reverse ${name}`, async () => {
      const c = torchCases[key]!
      const model = loadTorchStateDict(torchFile(c), c.module)
      await expectOrtAgrees(
        {
          ...model,
          options: {
            direction: model.options.direction === 'bidirectional' ? 'bidirectional' : 'reverse',
            clip: 0.4,
          },
        },
        3,
      )
    })
})

describe('ONNX export errors', () => {
  const c = torchCases.lstm_l1_f64!
  const model = loadTorchStateDict(torchFile(c), c.module)

  it('names a missing or misshapen parameter and a cell without an operator', () => {
    const { 'l0.f.b2': _, ...missing } = model.params
    expect(() => exportOnnx({ ...model, params: missing })).toThrow("parameter 'l0.f.b2' is missing")
    expect(() => exportOnnx({ ...model, params: { ...model.params, 'l0.o.W': tensor([4, 4]) } })).toThrow(
      "parameter 'l0.o.W' has shape [4,4], expected [4,7]",
    )
    const seed = stackCells(seedGru, { input: 3, hidden: 4, layers: 1 })
    expect(() => exportOnnx({ cells: seed, params: {} })).toThrow(
      "cell 'seed_gru' has no ONNX operator; export it with exportOnnxScan",
    )
  })
})
