import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TableRow } from '@cellgraph/bench'
import { describe, expect, it } from 'vitest'
import { mergeRows, peerRows, summarize, targetLines } from '../src/summary.js'

const flops = [
  { config: 'medium', cell: 'lstm', train: 4.03e9, infer: 1.34e9 },
  { config: 'medium', cell: 'layer_norm_lstm', train: 4.03e9, infer: 1.34e9 },
]
const cg = (engine: string, mode: 'train' | 'infer', ms: number, gflops: number): TableRow => ({
  config: 'medium',
  mode,
  engine,
  steps: 64,
  ms,
  gflops,
})
const rows = [
  cg('cellgraph webgpu', 'train', 8, 503),
  cg('cellgraph webgpu', 'infer', 5, 268),
  cg('cellgraph webgpu [layer_norm_lstm]', 'train', 20, 201),
]
const peerText = `torch 2.11 cudnn 91002 NVIDIA H200
torch-cuda lstm medium train median 4.570 ms  min 4.400
torch-cuda gru medium train median 3.000 ms  min 2.900
torch-eager layer_norm_lstm medium train median 86.00 ms  min 85.00  (warm-up 1.0 s)`

describe('the GPU run summary', () => {
  it('reads the PyTorch peers with the bench’s FLOP counts', () => {
    const peers = peerRows(peerText, flops)
    expect(peers.map((p) => [p.engine, p.mode, p.ms])).toEqual([
      ['PyTorch cuDNN (nn.LSTM / nn.GRU)', 'train', 4.57],
      ['PyTorch cuDNN (nn.LSTM / nn.GRU) [gru]', 'train', 3],
      ['PyTorch eager, custom cell [layer_norm_lstm]', 'train', 86],
    ])
    expect(peers[0]!.gflops).toBeCloseTo(4.03e9 / 4.57e6, 6)
  })

  it('puts each peer beside cellgraph’s row of the same cell, with peer ms ÷ cellgraph ms', () => {
    const merged = mergeRows(rows, peerRows(peerText, flops))
    expect(merged.map((r) => [r.engine, r.ratio])).toEqual([
      ['cellgraph webgpu', undefined],
      ['PyTorch cuDNN (nn.LSTM / nn.GRU)', 4.57 / 8],
      ['cellgraph webgpu [layer_norm_lstm]', undefined],
      ['PyTorch eager, custom cell [layer_norm_lstm]', 86 / 20],
      ['cellgraph webgpu', undefined], // inference
    ]) // the GRU peer has no cellgraph row: left out
  })

  it('checks the targets and says by how much each is missed', () => {
    const merged = mergeRows(rows, peerRows(peerText, flops))
    const gpu = {
      backend: 'webgpu',
      hidden: 1024,
      batch: 256,
      window: 32,
      steps: 11,
      tokensPerSecond: 60_000,
    }
    const cpu = { ...gpu, backend: 'cpu-wasm', tokensPerSecond: 20_000 }
    const lines = targetLines(merged, { gpu, cpu })
    expect(lines).toContainEqual([
      'LSTM medium training ≤ 10 ms (stretch 5; cuDNN 4.6 on the H200)',
      '8.00 ms',
      'met',
    ])
    expect(lines).toContainEqual(['LSTM medium inference ≤ 4 ms', '5.00 ms', 'missed: 1.25× the bound'])
    expect(lines).toContainEqual(['LSTM large training ≤ 30 ms', 'not measured', '—'])
    expect(lines).toContainEqual([
      "layer_norm_lstm medium train: ≥ 2/3 of the LSTM's GFLOP/s",
      '40%',
      'missed: 40% short',
    ])
    expect(lines).toContainEqual([
      'layer_norm_lstm medium train: ≥ 2× faster than eager PyTorch',
      '4.30×',
      'met',
    ])
    expect(lines.at(-1)).toEqual([
      "train --backend webgpu ≥ 5× the CPU's tokens/s (hidden 1024, batch 256)",
      '60,000 vs 20,000 tok/s: 3.00×',
      'missed: 40% short',
    ])
  })

  it('summarizes whatever files a cut-off run left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpukit-'))
    mkdirSync(join(dir, 'sweep'))
    writeFileSync(join(dir, 'steps.txt'), 'adapter 0 1\nconformance 124 200\n')
    expect(summarize(dir)).toContain('Conformance: no result (see steps below).')
    writeFileSync(join(dir, 'bench.json'), JSON.stringify({ date: '2026-12-05T14:00:00Z', rows, flops }))
    writeFileSync(join(dir, 'torch-cuda.txt'), peerText)
    const text = summarize(dir)
    expect(text).toContain('## WebGPU on an unknown adapter (2026-12-05T14:00 UTC)')
    expect(text).toMatch(/\| medium \| training step \| PyTorch cuDNN \(nn.LSTM \/ nn.GRU\) +\| +4.57 \|/)
    expect(text).toContain('conformance 124 200')
  })
})
