import { builtinCells } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { addingBatch, addingParameterCount, hiddenForBudget, Rng } from '../src/index.js'

describe('the adding problem', () => {
  it('marks one step in each half and targets the sum of the marked values', () => {
    const lag = 9
    const batch = 50
    const { x, y } = addingBatch(new Rng(1), lag, batch)
    for (let b = 0; b < batch; b++) {
      const marked: number[] = []
      for (let t = 0; t < lag; t++) if (x[(t * batch + b) * 2 + 1] === 1) marked.push(t)
      expect(marked).toHaveLength(2)
      expect(marked[0]).toBeLessThan(4)
      expect(marked[1]).toBeGreaterThanOrEqual(4)
      expect(y[b]).toBeCloseTo(x[(marked[0]! * batch + b) * 2]! + x[(marked[1]! * batch + b) * 2]!, 15)
    }
  })

  it('predicting the mean scores about 1/6', () => {
    const { y } = addingBatch(new Rng(2), 20, 20_000)
    const mse = y.reduce((s, v) => s + (v - 1) ** 2, 0) / y.length
    expect(mse).toBeCloseTo(1 / 6, 2)
  })

  it('counts parameters by hand and equalises budgets', () => {
    // LSTM, hidden 16, input 2: 4 gates × (16×18 weights + 2×16 biases) + head 16 + 1
    expect(addingParameterCount(builtinCells.lstm!, 16)).toBe(4 * (16 * 18 + 32) + 17)
    // vanilla RNN, hidden 34: 34×36 + 2×34 + 35
    expect(addingParameterCount(builtinCells.rnn!, 34)).toBe(34 * 36 + 68 + 35)
    const budget = addingParameterCount(builtinCells.lstm!, 16)
    for (const definition of Object.values(builtinCells)) {
      const n = addingParameterCount(definition, hiddenForBudget(definition, budget))
      expect(Math.abs(n - budget) / budget).toBeLessThan(0.05)
    }
  })
})
