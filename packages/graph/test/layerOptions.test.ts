import { describe, expect, it } from 'vitest'
import {
  builtinCells,
  cellParams,
  evaluate,
  fromTorch,
  type Graph,
  lengthMask,
  lstm,
  printGraph,
  rnn,
  sequenceGraph,
  stackCells,
  swapLeadingAxes,
  type Tensor,
  tensor,
} from '../src/index.js'
import { maxAbsDiff, stateSlice, torchFixtures } from './torchFixtures.js'

const fixtures = torchFixtures
const load = (t: Tensor) => tensor(t.dims, t.data)
const sliceOf = stateSlice

describe('layer options match PyTorch (bidirectional, packed sequences, batch_first; float64)', () => {
  for (const [name, f] of Object.entries(fixtures.options)) {
    it(`${name}: outputs and final states agree to 1e-12`, () => {
      const direction = f.bidirectional ? 'bidirectional' : 'forward'
      const cells = stackCells(builtinCells[f.cell]!, { ...f.sizes, layers: f.layers, direction })
      const graph = sequenceGraph(cells, { direction, lengths: f.lengths !== undefined })
      const x = f.batchFirst ? swapLeadingAxes(load(f.x)) : load(f.x)
      const inputs: Record<string, Tensor> = { x }
      if (f.lengths) inputs.mask = lengthMask(f.lengths, f.sizes.T)
      const weights = Object.fromEntries(Object.entries(f.weights).map(([k, v]) => [k, load(v)]))
      const dirs = f.bidirectional
        ? [
            ['', ''],
            ['reverse.', '_reverse'],
          ]
        : [['', '']]
      cells.forEach((cell, l) => {
        const shapes = Object.fromEntries(cellParams(cell).map((p) => [p.name, p.shape]))
        dirs.forEach(([prefix, suffix], d) => {
          const params = fromTorch(cell.torch!, weights, shapes, `_l${l}${suffix}`)
          for (const [p, v] of Object.entries(params)) inputs[`l${l}.${prefix}${p}`] = v
          inputs[`l${l}.${prefix}h0`] = sliceOf(load(f.h0), l * dirs.length + d)
          if (f.c0) inputs[`l${l}.${prefix}c0`] = sliceOf(load(f.c0), l * dirs.length + d)
        })
      })
      const out = evaluate(graph, inputs)
      const y = f.batchFirst ? swapLeadingAxes(out.y!) : out.y!
      expect(maxAbsDiff(y, load(f.y))).toBeLessThan(1e-12)
      cells.forEach((_, l) =>
        dirs.forEach(([prefix], d) => {
          const k = l * dirs.length + d
          expect(maxAbsDiff(out[`l${l}.${prefix}h`]!, sliceOf(load(f.hn), k))).toBeLessThan(1e-12)
          if (f.cn) expect(maxAbsDiff(out[`l${l}.${prefix}c`]!, sliceOf(load(f.cn), k))).toBeLessThan(1e-12)
        }),
      )
    })
  }
})

describe('sequence options', () => {
  const cells = stackCells(lstm, { input: 2, hidden: 3, layers: 2, direction: 'bidirectional' })

  it('a bidirectional stack feeds both directions to the next layer', () => {
    expect(cells.map((c) => c.sizes.input)).toEqual([2, 6])
    const g = sequenceGraph(cells, { direction: 'bidirectional' })
    expect(g.outputs.map((o) => o.name)).toEqual([
      'y',
      'l0.h',
      'l0.c',
      'l0.reverse.h',
      'l0.reverse.c',
      'l1.h',
      'l1.c',
      'l1.reverse.h',
      'l1.reverse.c',
    ])
  })

  it('a reverse model runs each scan from the last step and keeps the plain names', () => {
    const g = sequenceGraph([rnn({ input: 1, hidden: 1 })], { direction: 'reverse' })
    const inputs = { x: tensor([3, 1, 1], [1, 2, 3]), 'l0.h0': tensor([1, 1]) }
    const params = { 'l0.rnn.W': tensor([1, 2], [0, 1]), 'l0.rnn.b': tensor([1]), 'l0.rnn.b2': tensor([1]) }
    const out = evaluate(g, { ...inputs, ...params })
    // h' = tanh(x): with W = [0, 1] each step sees only its own input, in either direction;
    // the final state is the one after step 0.
    expect(Array.from(out.y!.data)).toEqual([1, 2, 3].map(Math.tanh))
    expect(Array.from(out['l0.h']!.data)).toEqual([Math.tanh(1)])
  })

  it('lengths: padding past a length changes nothing, outputs there are zero', () => {
    const g = sequenceGraph([rnn({ input: 1, hidden: 1 })], { lengths: true })
    const params = { 'l0.rnn.W': tensor([1, 2], [0.5, 1]), 'l0.rnn.b': tensor([1]), 'l0.rnn.b2': tensor([1]) }
    const run = (pad: number) =>
      evaluate(g, {
        x: tensor([3, 2, 1], [1, 1, 2, 2, pad, 3]),
        mask: lengthMask([2, 3], 3),
        'l0.h0': tensor([2, 1]),
        ...params,
      })
    const a = run(7)
    const b = run(-40)
    expect(a.y!.data[4]).toBe(0)
    expect(Array.from(a['l0.h']!.data)).toEqual(Array.from(b['l0.h']!.data))
    expect(a['l0.h']!.data[0]).toBe(a.y!.data[2])
  })

  it('clip clamps gate pre-activations', () => {
    const scan = sequenceGraph([lstm({ input: 1, hidden: 1 })], { clip: 3 }).nodes.find(
      (n) => n.op === 'scan',
    )!
    const body = printGraph((scan.attrs as { body: Graph }).body)
    // four gate layers; not tanh(c'), which ONNX Runtime leaves unclipped
    expect(body.match(/ = clamp/g)).toHaveLength(4)
    const g = sequenceGraph([rnn({ input: 1, hidden: 1 })], { clip: 0.5 })
    const out = evaluate(g, {
      x: tensor([1, 1, 1], [10]),
      'l0.h0': tensor([1, 1]),
      'l0.rnn.W': tensor([1, 2], [0, 1]),
      'l0.rnn.b': tensor([1]),
      'l0.rnn.b2': tensor([1]),
    })
    expect(out.y!.data[0]).toBeCloseTo(Math.tanh(0.5), 15)
  })

  it('bad options and data get one-line errors', () => {
    expect(() => sequenceGraph(cells, { direction: 'sideways' as never })).toThrow(
      "direction must be one of forward, reverse, bidirectional, got 'sideways'",
    )
    expect(() => sequenceGraph([rnn({ input: 1, hidden: 1 })], { clip: -1 })).toThrow(
      'clip must be a positive number, got -1',
    )
    expect(() => lengthMask([2, 5], 4)).toThrow('lengths[1] is 5; a length must be a whole number in [0, 4]')
    expect(() => swapLeadingAxes(tensor([3]))).toThrow('swapLeadingAxes needs at least 2 dims, got [3]')
  })

  it('swapLeadingAxes is its own inverse', () => {
    const t = tensor(
      [2, 3, 2],
      Array.from({ length: 12 }, (_, i) => i),
    )
    expect(swapLeadingAxes(t).dims).toEqual([3, 2, 2])
    expect(Array.from(swapLeadingAxes(t).data.slice(0, 4))).toEqual([0, 1, 6, 7])
    expect(swapLeadingAxes(swapLeadingAxes(t))).toEqual(t)
  })
})
