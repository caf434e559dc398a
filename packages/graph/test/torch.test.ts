import { describe, expect, it } from 'vitest'
import {
  builtinCells,
  cellParams,
  evaluate,
  fromTorch,
  sequenceGraph,
  stackCells,
  type Tensor,
  tensor,
  toTorch,
} from '../src/index.js'
import { maxAbsDiff, stateSlice, torchFixtures } from './torchFixtures.js'

const fixtures = torchFixtures
const layerOf = stateSlice

describe('built-in cells match PyTorch (fixtures from scripts/torch-fixtures.py, float64)', () => {
  for (const [name, f] of Object.entries(fixtures.cases)) {
    it(`${name}: outputs and final states agree to 1e-12`, () => {
      const cells = stackCells(builtinCells[f.cell]!, {
        input: f.sizes.input,
        hidden: f.sizes.hidden,
        layers: f.layers,
      })
      const inputs: Record<string, Tensor> = { x: tensor(f.x.dims, f.x.data) }
      cells.forEach((cell, l) => {
        const shapes = Object.fromEntries(cellParams(cell).map((p) => [p.name, p.shape]))
        const weights = Object.fromEntries(
          Object.entries(f.weights).map(([k, v]) => [k, tensor(v.dims, v.data)]),
        )
        const params = fromTorch(cell.torch!, weights, shapes, `_l${l}`)
        for (const [p, v] of Object.entries(params)) inputs[`l${l}.${p}`] = v
        inputs[`l${l}.h0`] = layerOf(tensor(f.h0.dims, f.h0.data), l)
        if (f.c0) inputs[`l${l}.c0`] = layerOf(tensor(f.c0.dims, f.c0.data), l)
        // and back: the layout is a bijection
        const again = toTorch(cell.torch!, params, `_l${l}`)
        for (const [k, v] of Object.entries(again))
          expect(Array.from(v.data)).toEqual(Array.from(weights[k]!.data))
      })
      const out = evaluate(sequenceGraph(cells), inputs)
      expect(maxAbsDiff(out.y!, tensor(f.y.dims, f.y.data))).toBeLessThan(1e-12)
      for (let l = 0; l < f.layers; l++) {
        expect(maxAbsDiff(out[`l${l}.h`]!, layerOf(tensor(f.hn.dims, f.hn.data), l))).toBeLessThan(1e-12)
        if (f.cn)
          expect(maxAbsDiff(out[`l${l}.c`]!, layerOf(tensor(f.cn.dims, f.cn.data), l))).toBeLessThan(1e-12)
      }
    })
  }

  it('rejects PyTorch tensors of the wrong shape, naming them', () => {
    const cell = builtinCells.lstm!({ input: 4, hidden: 6 })
    const shapes = Object.fromEntries(cellParams(cell).map((p) => [p.name, p.shape]))
    const weights = Object.fromEntries(
      Object.entries(fixtures.cases.lstm_l1!.weights).map(([k, v]) => [k, tensor(v.dims, v.data)]),
    )
    const good = weights.weight_hh_l0!
    weights.weight_hh_l0 = tensor([24, 5])
    expect(() => fromTorch(cell.torch!, weights, shapes, '_l0')).toThrow(
      /'weight_hh_l0' has shape \[24,5\], expected \[24,6\]/,
    )
    weights.weight_hh_l0 = good
    delete weights.bias_ih_l0
    expect(() => fromTorch(cell.torch!, weights, shapes, '_l0')).toThrow(/'bias_ih_l0' is missing/)
  })
})
