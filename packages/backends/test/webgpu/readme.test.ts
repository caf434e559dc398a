import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'
import { useSoftwareVulkan } from './softwareVulkan.js'

const exampleSteps = 16 // the example's sequence length
const example = readFileSync(new URL('./example.ts', import.meta.url), 'utf8')
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

describe('README WebGPU example', () => {
  it('is in the README, verbatim', () => {
    expect(readme).toContain(example.trim())
  })

  it('trains an LSTM with SGD on WebGPU and the loss falls', { timeout: 120_000 }, async () => {
    useSoftwareVulkan()
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const { losses, work } = await import('./example.js')
    const printed = log.mock.calls.map((c) => String(c[0]))
    log.mockRestore()
    expect(printed[0]).toMatch(/^running on \S/)
    expect(losses).toHaveLength(7)
    expect(losses.every(Number.isFinite)).toBe(true)
    expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!)
    expect(work).toMatchObject({ passes: 1, submissions: 1, writes: 0, readBacks: 1 })
    expect(work.dispatches).toBeGreaterThan(exampleSteps) // every time step's kernels, in that one pass
    expect(printed.at(-1)).toMatch(/^one step: \d+ dispatches, 1 submission$/)
  })
})
