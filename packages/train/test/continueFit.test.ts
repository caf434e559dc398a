import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const example = readFileSync(new URL('../examples/continueFit.ts', import.meta.url), 'utf8')

describe('README example: fit in two sittings', () => {
  it('is the committed example, verbatim', () => {
    expect(readme).toContain(example.trim())
  })

  it('a saved and loaded model carries on as one longer fit', async () => {
    const { same } = await import('../examples/continueFit.js')
    expect(same).toBe(true)
  })
})
