import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const example = readFileSync(new URL('../examples/smallRun.ts', import.meta.url), 'utf8')

describe('README example', () => {
  it('is the committed example, verbatim', () => {
    expect(readme).toContain(example.trim())
  })

  it('checks the loss, times the LSTM and the GRU, and prints one table row each', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const { rows, failures } = await import('../examples/smallRun.js')
    expect(failures).toEqual([])
    expect(rows.map((r) => r.engine)).toEqual([
      'cellgraph reference interpreter (float64)',
      'cellgraph reference interpreter (float64) [gru]',
    ])
    for (const r of rows) expect(r.ms).toBeGreaterThan(0)
    const table = log.mock.calls[0]![0] as string
    expect(table.split('\n')).toHaveLength(4)
    log.mockRestore()
  }, 60_000)
})
