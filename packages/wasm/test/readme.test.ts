import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const example = readFileSync(new URL('../examples/readmeExample.ts', import.meta.url), 'utf8')
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('README example', () => {
  it('is the committed example, verbatim', () => {
    expect(readme).toContain(example.trim())
  })

  it('computes one LSTM step from zero cell state', async () => {
    const { hidden } = await import('../examples/readmeExample.js')
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))
    // by hand: every gate is 0.1·(sum of the row of h); c = σ(z)·tanh(z); h = σ(z)·tanh(c)
    const expected = [6, 15].flatMap((rowSum) => {
      const z = 0.1 * rowSum
      const cell = sigmoid(z) * Math.tanh(z)
      return [0, 1, 2].map(() => sigmoid(z) * Math.tanh(cell))
    })
    hidden.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 6))
  })
})
