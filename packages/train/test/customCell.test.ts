import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const example = readFileSync(new URL('../examples/customCell.ts', import.meta.url), 'utf8')

describe('README example: a custom cell on a sequence task', () => {
  it('is the committed example, verbatim', () => {
    expect(readme).toContain(example.trim())
  })

  it('trains with fit and classifies held-out sequences of other lengths', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const { accuracy } = await import('../examples/customCell.js')
    log.mockRestore()
    // Chance is about 0.6 (the larger class); counting the signs gets every sequence right.
    expect(accuracy).toBeGreaterThan(0.85)
  })
})
