import { readFileSync } from 'node:fs'
import { opNames } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { opCoverage } from '../src/index.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const example = readFileSync(new URL('../examples/randomCells.ts', import.meta.url), 'utf8')

describe('README', () => {
  it('shows the committed example verbatim, and the example passes', async () => {
    expect(readme).toContain(example.trim())
    const { result } = await import('../examples/randomCells.js')
    expect(result.failed).toBe(false)
    expect(result.numRuns).toBe(6)
  })

  it('has a coverage row for every op, saying where the generator produces it', () => {
    for (const op of opNames)
      expect(readme).toMatch(new RegExp(`\\| \`${op}\` +\\| ${opCoverage[op].in} +\\|`))
  })
})
