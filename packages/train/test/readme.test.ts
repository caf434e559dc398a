import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const example = readFileSync(new URL('../examples/charLm.ts', import.meta.url), 'utf8')

describe('README example', () => {
  it('is the committed example, verbatim', () => {
    expect(readme).toContain(example.trim())
  })

  it('trains, saves, loads and samples', async () => {
    const { losses, text } = await import('../examples/charLm.js')
    expect(losses).toHaveLength(40)
    expect(losses[0]).toBeGreaterThan(3) // ≈ ln 47 untrained
    expect(losses.slice(-5).reduce((s, v) => s + v, 0) / 5).toBeLessThan(losses[0]! - 0.5)
    expect([...text]).toHaveLength(60)
  })
})
