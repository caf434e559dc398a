import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const example = (name: string) => readFileSync(new URL(`../examples/${name}.ts`, import.meta.url), 'utf8')

describe('README examples', () => {
  it.each(['charLm', 'customCell', 'continueFit'])('examples/%s.ts is in the README, verbatim', (name) => {
    expect(readme).toContain(example(name).trim())
  })

  it('charLm: trains, saves, loads and samples', async () => {
    const { losses, text } = await import('../examples/charLm.js')
    expect(losses).toHaveLength(40)
    expect(losses[0]).toBeGreaterThan(3) // ≈ ln 47 untrained
    expect(losses.slice(-5).reduce((s, v) => s + v, 0) / 5).toBeLessThan(losses[0]! - 0.5)
    expect([...text]).toHaveLength(60)
  })

  it('customCell: trains with fit and classifies held-out sequences of other lengths', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const { accuracy } = await import('../examples/customCell.js')
    log.mockRestore()
    // Chance is about 0.6 (the larger class); counting the signs gets every sequence right.
    expect(accuracy).toBeGreaterThan(0.85)
  })

  it('continueFit: a saved and loaded model carries on as one longer fit', async () => {
    const { same } = await import('../examples/continueFit.js')
    expect(same).toBe(true)
  })
})
