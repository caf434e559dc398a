import { readFileSync, writeFileSync } from 'node:fs'
import { evaluate } from '@cellgraph/graph'
import { decodeSafetensors } from '@cellgraph/train'
import { describe, expect, it, vi } from 'vitest'
import { exportOnnx, importOnnx, loadTorchStateDict } from '../src/index.js'
import {
  fixtureBytes,
  load,
  maxAbsDiff,
  stateSlice,
  torchCases,
  torchFile,
  torchFinetuned,
  torchOnnx,
} from './fixtures.js'

const FINETUNED = new URL('fixtures/torch/lstm_l1_nobias_finetuned_f32.safetensors', import.meta.url)

describe('bias=False modules are cells without biases', () => {
  const nobias = Object.entries(torchCases).filter(([, c]) => !c.module.bias)

  it('every bias-free PyTorch case loads into cells without bias parameters', () => {
    expect(nobias.map(([name]) => name).sort()).toEqual([
      'gru_l1_nobias_bf_f16',
      'gru_l2_nobias_f32',
      'lstm_l1_nobias_f32',
      'lstm_l2_bi_nobias_f64',
      'rnn_l2_bi_nobias_f32',
    ])
    for (const [, c] of nobias) {
      const model = loadTorchStateDict(torchFile(c), c.module)
      expect(model.cells.every((cell) => cell.sizes.bias === false)).toBe(true)
      expect(Object.keys(model.params).filter((p) => /\.b2?$/.test(p))).toEqual([])
    }
  })

  it('the README example: PyTorch in, fine-tune, PyTorch out, byte for byte the committed file', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const example = readFileSync(new URL('../examples/noBias.ts', import.meta.url), 'utf8')
    expect(readme).toContain(example.trim())
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const { losses, saved } = await import('../examples/noBias.js')
    expect(log.mock.calls[0]![0]).toEqual(['l0.i.W', 'l0.f.W', 'l0.g.W', 'l0.o.W'])
    log.mockRestore()
    expect(losses.at(-1)).toBeLessThan(losses[0]!) // fine-tuning moved the weights
    expect(Object.keys(decodeSafetensors(saved).tensors).sort()).toEqual(['weight_hh_l0', 'weight_ih_l0'])
    // The committed file is this output; scripts/torch-fixtures.py loads it into PyTorch.
    if (process.env.CELLGRAPH_WRITE_FIXTURES) writeFileSync(FINETUNED, saved)
    expect(Buffer.from(saved).equals(readFileSync(FINETUNED))).toBe(true)
  })

  it('PyTorch loads the fine-tuned file into nn.LSTM(bias=False) and computes what cellgraph does (1e-12)', () => {
    const f = torchFinetuned!
    const model = loadTorchStateDict(fixtureBytes(f.file), { cell: 'lstm', bias: false })
    const out = evaluate(model.graph, {
      ...model.params,
      x: load(f.x),
      'l0.h0': stateSlice(load(f.h0), 0),
      'l0.c0': stateSlice(load(f.c0), 0),
    })
    expect(maxAbsDiff(out.y!, load(f.y))).toBeLessThan(1e-12)
    expect(maxAbsDiff(out['l0.h']!, stateSlice(load(f.hn), 0))).toBeLessThan(1e-12)
    expect(maxAbsDiff(out['l0.c']!, stateSlice(load(f.cn), 0))).toBeLessThan(1e-12)
  })

  it('ONNX export leaves out B, and import gives bias-free cells back', () => {
    for (const [, c] of nobias) {
      const model = loadTorchStateDict(torchFile(c), c.module)
      const bytes = exportOnnx(model)
      expect(new TextDecoder('latin1').decode(bytes)).not.toContain('l0.B')
      const again = importOnnx(bytes)
      expect(again.cells.map((cell) => cell.sizes)).toEqual(model.cells.map((cell) => cell.sizes))
      expect(Object.keys(again.params).sort()).toEqual(Object.keys(model.params).sort())
    }
  })

  it("PyTorch's own ONNX export of nn.LSTM(bias=False) imports as a bias-free cell", () => {
    const model = importOnnx(fixtureBytes(torchOnnx.lstm_nobias_torch!.file))
    expect(model.cells[0]!.sizes.bias).toBe(false)
  })
})
