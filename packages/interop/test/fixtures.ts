import { readFileSync } from 'node:fs'
import { type Tensor, tensor } from '@cellgraph/graph'
import type { TorchModule } from '../src/index.js'

export interface TorchCase {
  file: string
  module: Required<TorchModule>
  dtype: 'F32' | 'F64' | 'F16' | 'BF16'
  lengths?: number[]
  x: Tensor
  h0: Tensor
  y: Tensor
  hn: Tensor
  c0?: Tensor
  cn?: Tensor
}

const dir = new URL('fixtures/torch/', import.meta.url)

/** The cases of scripts/torch-fixtures.py: PyTorch's own files and outputs. */
export const torchCases = (
  JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as { cases: Record<string, TorchCase> }
).cases

/** ONNX files written by torch.onnx.export, with PyTorch's inputs and outputs (float32). */
export const torchOnnx = (
  JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as {
    onnx: Record<string, { file: string; inputs: Record<string, Tensor>; outputs: Record<string, Tensor> }>
  }
).onnx

/** The README's fine-tuned bias-free LSTM as PyTorch loads and runs it (null before it is written). */
export const torchFinetuned = (
  JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as {
    finetuned: { file: string; x: Tensor; h0: Tensor; c0: Tensor; y: Tensor; hn: Tensor; cn: Tensor } | null
  }
).finetuned

export const fixtureBytes = (file: string): Uint8Array => new Uint8Array(readFileSync(new URL(file, dir)))

export const torchFile = (c: TorchCase): Uint8Array => new Uint8Array(readFileSync(new URL(c.file, dir)))

export const load = (t: Tensor): Tensor => tensor(t.dims, t.data)

/** Slice k of a PyTorch [layers·directions, B, H] state tensor. */
export const stateSlice = (t: Tensor, k: number): Tensor => {
  const size = t.dims[1]! * t.dims[2]!
  return tensor([t.dims[1]!, t.dims[2]!], t.data.slice(k * size, (k + 1) * size))
}

export const maxAbsDiff = (a: Tensor, b: Tensor): number => {
  if (a.dims.join() !== b.dims.join()) throw new Error(`dims [${a.dims}] and [${b.dims}] differ`)
  return Math.max(0, ...Array.from(a.data, (v, i) => Math.abs(v - b.data[i]!)))
}
