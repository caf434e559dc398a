import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'

const example = readFileSync(new URL('../examples/customCell.ts', import.meta.url), 'utf8')
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('README example', () => {
  it('is the committed example, verbatim', () => {
    expect(readme).toContain(example.trim())
  })

  it('defines, prints, saves, loads and runs a new cell in under 20 lines', async () => {
    expect(example.trim().split('\n').length).toBeLessThan(20)
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const { out } = await import('../examples/customCell.js')
    expect(log.mock.calls[0]![0]).toContain('%leak: param [3]')
    expect(out.y!.dims).toEqual([4, 1, 3])
    // Step 0 by hand: h = 0, so h' = z * tanh(W_g·[0, x0] + b_g) with x0 = [1, 0].
    const z = 1 / (1 + Math.exp(-0.1))
    const expected = [0.1, 0.2, 0.3].map((b) => z * Math.tanh(-0.2 + b))
    expected.forEach((v, j) => expect(out.y!.data[j]).toBeCloseTo(v, 12))
    log.mockRestore()
  })
})

describe('README layer-options example', () => {
  const layerOptions = readFileSync(new URL('../examples/layerOptions.ts', import.meta.url), 'utf8')

  it('is the committed example, verbatim, and runs', async () => {
    expect(readme).toContain(layerOptions.trim())
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const { out } = await import('../examples/layerOptions.js')
    expect(log.mock.calls[0]![0]).toEqual([2, 4, 6])
    // the second sequence (batch row 1) is zero at steps 2 and 3, in both directions
    for (const t of [2, 3])
      expect(Array.from(out.y!.data.slice((t * 2 + 1) * 6, (t * 2 + 2) * 6))).toEqual(Array(6).fill(0))
    log.mockRestore()
  })
})
