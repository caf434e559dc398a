import { readFileSync } from 'node:fs'
import { decodeSafetensors } from '@cellgraph/train'
import { describe, expect, it, vi } from 'vitest'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const example = (name: string) => readFileSync(new URL(`../examples/${name}.ts`, import.meta.url), 'utf8')

describe('README examples', () => {
  it('PyTorch state dicts: the committed example, verbatim, runs', async () => {
    expect(readme).toContain(example('torchStateDict').trim())
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const { out, saved } = await import('../examples/torchStateDict.js')
    expect(log.mock.calls[0]![0]).toEqual([2, 5, 8])
    expect(out.y!.data.every(Number.isFinite)).toBe(true)
    expect(decodeSafetensors(saved).tensors.weight_hh_l1_reverse!.dtype).toBe('BF16')
    log.mockRestore()
  })

  it('PyTorch weights in, fine-tune, ONNX out, ONNX in: the committed example, verbatim, runs', async () => {
    expect(readme).toContain(example('roundTrip').trim())
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const { losses, exportGap, importGap } = await import('../examples/roundTrip.js')
    expect(losses.at(-1)).toBeLessThan(losses[0]! * 0.8) // fine-tuning moved the weights
    expect(exportGap).toBeLessThan(1e-5) // ONNX Runtime runs the fine-tuned model as cellgraph does
    expect(importGap).toBeLessThan(1e-5) // and PyTorch's ONNX LSTM runs in cellgraph as in ONNX Runtime
    expect(log.mock.calls[0]![0]).toMatch(/^loss .* -> .*; ONNX Runtime vs cellgraph/)
    log.mockRestore()
  })
})
