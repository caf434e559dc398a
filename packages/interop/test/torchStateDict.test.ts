import { evaluate, lengthMask, swapLeadingAxes, type Tensor } from '@cellgraph/graph'
import { decodeSafetensors, encodeSafetensors } from '@cellgraph/train'
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

describe("a module inside a larger model's state dict (prefix)", () => {
  const c = torchCases.lstm_l1_f64!
  const whole = loadTorchStateDict(torchFile(c), c.module)
  const { tensors } = decodeSafetensors(torchFile(c))
  const file = encodeSafetensors({
    ...Object.fromEntries(Object.entries(tensors).map(([k, t]) => [`rnn.${k}`, t])),
    'decoder.weight': { dtype: 'F32', shape: [2, 4], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]) },
  })

  it("reads the module's tensors and leaves the others to the caller", () => {
    const part = loadTorchStateDict(file, { ...c.module, prefix: 'rnn.' })
    expect(part.params).toEqual(whole.params)
    expect(Object.keys(part.others)).toEqual(['decoder.weight'])
    expect(() => loadTorchStateDict(file, c.module)).toThrow("the state dict has no 'weight_ih_l0'")
    const saved = decodeSafetensors(
      saveTorchStateDict(part.params, { ...c.module, prefix: 'rnn.' }, { dtype: 'F64' }),
    )
    expect(Object.keys(saved.tensors).sort()).toEqual(
      Object.keys(tensors)
        .map((k) => `rnn.${k}`)
        .sort(),
    )
  })
})
