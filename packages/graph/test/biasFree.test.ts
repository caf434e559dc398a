import { describe, expect, it, vi } from 'vitest'
import {
  builtinCells,
  cellFromJson,
  cellParams,
  cellToJson,
  defineCell,
  gru,
  layer,
  layerBiases,
  lstm,
  rnn,
  stackCells,
  tanh,
} from '../src/index.js'

const names = (cell: ReturnType<typeof lstm>) => cellParams(cell).map((p) => p.name)

describe('built-in cells without biases (bias: false, as PyTorch)', () => {
  for (const [name, definition] of Object.entries(builtinCells))
    it(`${name}: the same parameters as with biases, less every bias vector`, () => {
      const biased = names(definition({ input: 2, hidden: 3 }))
      const free = definition({ input: 2, hidden: 3, bias: false })
      expect(names(free)).toEqual(biased.filter((p) => !/\.b2?$/.test(p)))
      expect(names(free).length).toBeLessThan(biased.length)
      expect(free.sizes).toEqual({ input: 2, hidden: 3, bias: false })
      expect(definition({ input: 2, hidden: 3, bias: true }).sizes).toEqual({ input: 2, hidden: 3 })
    })

  it("PyTorch's layouts of lstm, gru and rnn hold the weights only", () => {
    for (const definition of [lstm, gru, rnn]) {
      const layout = definition({ input: 2, hidden: 3, bias: false }).torch!
      expect(layout.map((t) => t.name)).toEqual(['weight_ih', 'weight_hh'])
    }
  })

  it('stackCells passes bias to every layer, in both directions', () => {
    const cells = stackCells(gru, { input: 2, hidden: 3, layers: 3, direction: 'bidirectional', bias: false })
    expect(cells.map((c) => c.sizes)).toEqual([
      { input: 2, hidden: 3, bias: false },
      { input: 6, hidden: 3, bias: false },
      { input: 6, hidden: 3, bias: false },
    ])
    expect(stackCells(gru, { input: 2, hidden: 3, layers: 1 })[0]!.sizes).toEqual({ input: 2, hidden: 3 })
  })

  it('cell JSON round-trips a bias-free cell', () => {
    for (const definition of Object.values(builtinCells)) {
      const cell = definition({ input: 2, hidden: 3, bias: false })
      expect(cellFromJson(cellToJson(cell))).toEqual(cell)
    }
  })

  it('a custom cell reads the option through layerBiases', () => {
    const mine = defineCell('mine', { state: ['h'] }, ({ x, h }, sizes) => {
      const h2 = layer('a', x, sizes.hidden, tanh, { biases: layerBiases(sizes) })
      return { state: { h: h2 }, output: h }
    })
    expect(names(mine({ input: 2, hidden: 3 }))).toEqual(['a.W', 'a.b'])
    expect(names(mine({ input: 2, hidden: 3, bias: false }))).toEqual(['a.W'])
  })

  it('names the field of a wrong bias', () => {
    expect(() => lstm({ input: 2, hidden: 3, bias: 'no' as never })).toThrow(
      "cell 'lstm': bias must be true or false, got no",
    )
    const doc = JSON.parse(cellToJson(lstm({ input: 2, hidden: 3, bias: false })))
    expect(() => cellFromJson({ ...doc, sizes: { ...doc.sizes, bias: 0 } })).toThrow(
      'sizes.bias: must be true or false, got 0',
    )
    const biased = JSON.parse(cellToJson(lstm({ input: 2, hidden: 3 })))
    expect(() => cellFromJson({ ...biased, sizes: { ...biased.sizes, bias: false } })).toThrow(
      "sizes.bias: is false, but layer 'i' has biases",
    )
  })
})

describe('README bias-free example', () => {
  it('is the committed example, verbatim, and runs', async () => {
    const { readFileSync } = await import('node:fs')
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    expect(readme).toContain(readFileSync(new URL('../examples/noBias.ts', import.meta.url), 'utf8').trim())
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const { torch } = await import('../examples/noBias.js')
    expect(log.mock.calls[0]![0]).toEqual(['i.W', 'f.W', 'g.W', 'o.W'])
    expect(Object.keys(torch)).toEqual(['weight_ih_l1', 'weight_hh_l1'])
    expect(torch.weight_ih_l1!.dims).toEqual([16, 4])
    log.mockRestore()
  })
})
