import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'

const example = readFileSync(new URL('../examples/trainCustomCell.ts', import.meta.url), 'utf8')
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('README example', () => {
  it('is the committed example, verbatim', () => {
    expect(readme).toContain(example.trim())
  })

  it('trains a custom cell with SGD on the CPU backend and the loss falls', { timeout: 60_000 }, async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const { losses } = await import('../examples/trainCustomCell.js')
    log.mockRestore()
    expect(losses).toHaveLength(30)
    expect(losses.every(Number.isFinite)).toBe(true)
    expect(losses.at(-1)!).toBeLessThan(0.1 * losses[0]!)
    // Mostly downhill: at most a few steps go up at this learning rate.
    const ups = losses.slice(1).filter((l, k) => l > losses[k]!).length
    expect(ups).toBeLessThanOrEqual(3)
  })
})
