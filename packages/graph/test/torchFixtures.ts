import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import { type Tensor, tensor } from '../src/index.js'

/** A PyTorch module run in float64 by scripts/torch-fixtures.py: its weights, inputs and outputs. */
export interface TorchFixture {
  cell: string
  layers: number
  bidirectional?: boolean
  batchFirst?: boolean
  lengths?: number[]
  sizes: { T: number; B: number; input: number; hidden: number }
  weights: Record<string, Tensor>
  x: Tensor
  y: Tensor
  h0: Tensor
  hn: Tensor
  c0?: Tensor
  cn?: Tensor
}

/** `cases`: plain stacks; `options`: bidirectional, packed and batch-first modules. */
export const torchFixtures = JSON.parse(
  readFileSync(new URL('fixtures/torch-cells.json', import.meta.url), 'utf8'),
) as { cases: Record<string, TorchFixture>; options: Record<string, TorchFixture> }

/** Slice k of a PyTorch [layers·directions, B, H] state tensor. */
export const stateSlice = (t: Tensor, k: number): Tensor => {
  const size = t.dims[1]! * t.dims[2]!
  return tensor([t.dims[1]!, t.dims[2]!], t.data.slice(k * size, (k + 1) * size))
}

export const maxAbsDiff = (a: Tensor, b: Tensor): number => {
  expect(a.dims).toEqual(b.dims)
  return Math.max(...Array.from(a.data, (v, i) => Math.abs(v - b.data[i]!)))
}
