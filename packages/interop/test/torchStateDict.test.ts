import { evaluate, lengthMask, swapLeadingAxes, type Tensor } from '@cellgraph/graph'
import { decodeSafetensors } from '@cellgraph/train'
import { describe, expect, it } from 'vitest'
import { loadTorchStateDict, saveTorchStateDict } from '../src/index.js'
import { load, maxAbsDiff, stateSlice, torchCases, torchFile } from './fixtures.js'

describe('PyTorch state dicts (files and outputs from PyTorch 1.13, scripts/torch-fixtures.py)', () => {
  for (const [name, c] of Object.entries(torchCases)) {
    it(`${name}: loads and runs as PyTorch does (float64, 1e-12)`, () => {
      const model = loadTorchStateDict(torchFile(c), { ...c.module, lengths: c.lengths !== undefined })
      const inputs: Record<string, Tensor> = { ...model.params }
      inputs.x = c.module.batchFirst ? swapLeadingAxes(load(c.x)) : load(c.x)
      const dirs = c.module.bidirectional ? ['', 'reverse.'] : ['']
      model.cells.forEach((_, l) =>
        dirs.forEach((prefix, d) => {
          inputs[`l${l}.${prefix}h0`] = stateSlice(load(c.h0), l * dirs.length + d)
          if (c.c0) inputs[`l${l}.${prefix}c0`] = stateSlice(load(c.c0), l * dirs.length + d)
        }),
      )
      if (c.lengths) inputs.mask = lengthMask(c.lengths, inputs.x!.dims[0]!)
      const run = evaluate(model.graph, inputs)
      const y = c.module.batchFirst ? swapLeadingAxes(run.y!) : run.y!
      expect(maxAbsDiff(y, load(c.y))).toBeLessThan(1e-12)
      model.cells.forEach((_, l) =>
        dirs.forEach((prefix, d) => {
          const k = l * dirs.length + d
          expect(maxAbsDiff(run[`l${l}.${prefix}h`]!, stateSlice(load(c.hn), k))).toBeLessThan(1e-12)
          if (c.cn)
            expect(maxAbsDiff(run[`l${l}.${prefix}c`]!, stateSlice(load(c.cn), k))).toBeLessThan(1e-12)
        }),
      )
    })

    it(`${name}: saves the same tensors back, in ${c.dtype}`, () => {
      const bytes = torchFile(c)
      const model = loadTorchStateDict(bytes, c.module)
      const again = decodeSafetensors(saveTorchStateDict(model.params, c.module, { dtype: c.dtype }))
      const original = decodeSafetensors(bytes)
      expect(Object.keys(again.tensors).sort()).toEqual(Object.keys(original.tensors).sort())
      for (const [k, t] of Object.entries(original.tensors)) {
        expect(again.tensors[k]!.dtype).toBe(t.dtype)
        expect(again.tensors[k]!.shape).toEqual(t.shape)
        expect(Array.from(again.tensors[k]!.data)).toEqual(Array.from(t.data))
      }
    })
  }
})
