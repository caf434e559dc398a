import { readFileSync } from 'node:fs'
import { tensor } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { recurrentModel } from '../src/index.js'

// nn.LSTM / nn.GRU with an nn.Linear head over packed sequences, run by PyTorch in float64
// (fixtures/recurrentTorch.py writes the JSON; the test needs no torch).
interface TorchCase {
  readonly cell: 'lstm' | 'gru'
  readonly at: 'last' | 'each'
  readonly sizes: { inputSize: number; hidden: number; layers: number; outputs: number }
  readonly state: Record<string, { dims: number[]; data: number[] }>
  readonly x: number[][][]
  readonly y: number[][]
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/recurrentTorch.json', import.meta.url), 'utf8'),
) as {
  cases: TorchCase[]
}

describe("recurrentModel agrees with PyTorch's modules on sequences of different lengths", () => {
  for (const c of fixture.cases)
    it(`${c.cell}, ${c.sizes.layers} layer(s), head at ${c.at} step(s)`, async () => {
      const model = await recurrentModel({ cell: c.cell, ...c.sizes, at: c.at, backend: 'reference' })
      model.loadStateDict(
        Object.fromEntries(Object.entries(c.state).map(([n, t]) => [n, tensor(t.dims, t.data)])),
      )
      const predicted = await model.predict(c.x.map((x) => ({ x })))
      predicted.forEach((p, k) => {
        expect(p).toHaveLength(c.y[k]!.length)
        // predict returns float32 values of the float64 reference
        c.y[k]!.forEach((v, i) => expect(p[i]!).toBeCloseTo(v, 6))
      })
    })
})
