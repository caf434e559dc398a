import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'

const example = readFileSync(new URL('../examples/customCellGrad.ts', import.meta.url), 'utf8')
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('README example', () => {
  it('is the committed example, verbatim', () => {
    expect(readme).toContain(example.trim())
  })

  it('differentiates a custom cell, and the gradients pass the check', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const { value, grads, check } = await import('../examples/customCellGrad.js')
    log.mockRestore()
    expect(value).toBeGreaterThan(0)
    expect(Object.keys(grads).sort()).toEqual(['l0.g.W', 'l0.g.b', 'l0.leak', 'l0.z.W', 'l0.z.b'])
    expect(grads['l0.leak']!.dims).toEqual([3])
    expect(grads['l0.leak']!.data.some((v) => v !== 0)).toBe(true)
    for (const leaf of ['l0.leak', 'x', 'l0.h0']) expect(check[leaf]!.error).toBeLessThan(1e-6)
  })
})
