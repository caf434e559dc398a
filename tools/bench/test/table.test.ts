import { describe, expect, it } from 'vitest'
import { describeWork, formatNumber, formatTable, type TableRow, withRatios } from '../src/table.js'

describe('formatNumber', () => {
  it('keeps three significant digits and separates thousands', () => {
    expect(formatNumber(0.012345)).toBe('0.0123')
    expect(formatNumber(1.2345)).toBe('1.23')
    expect(formatNumber(123.45)).toBe('123')
    expect(formatNumber(43210.9)).toBe('43,211')
    expect(formatNumber(0)).toBe('0')
  })
})

const rows: TableRow[] = [
  {
    config: 'medium',
    mode: 'train',
    engine: 'cellgraph cpu',
    steps: 64,
    stepsTimed: 64,
    ms: 100,
    gflops: 40,
  },
  { config: 'medium', mode: 'train', engine: 'tfjs-wasm', steps: 64, stepsTimed: 64, ms: 2600, gflops: 1.55 },
  {
    config: 'large',
    mode: 'train',
    engine: 'cellgraph cpu',
    steps: 128,
    stepsTimed: 128,
    ms: 2000,
    gflops: 20,
  },
  { config: 'large', mode: 'train', engine: 'tfjs-cpu', steps: 128, stepsTimed: 8, ms: 160000, gflops: 0.2 },
  {
    config: 'large',
    mode: 'infer',
    engine: 'pytorch',
    steps: 128,
    status: 'not installed (no module torch)',
  },
]

describe('withRatios', () => {
  it("divides each peer's time by cellgraph's in the same config and mode", () => {
    const ratios = withRatios(rows, (e) => e.startsWith('cellgraph')).map((r) => r.ratio)
    expect(ratios).toEqual([undefined, 26, undefined, 80, undefined])
  })
})

describe('formatTable', () => {
  const text = formatTable(withRatios(rows, (e) => e.startsWith('cellgraph')))
  const lines = text.split('\n')

  it('prints a header, a Markdown rule and one aligned line per row', () => {
    expect(lines).toHaveLength(2 + rows.length)
    expect(lines[0]).toMatch(
      /^\| config +\| mode +\| engine +\| +median ms \| GFLOP\/s \| peer ms ÷ cellgraph ms \|$/,
    )
    expect(lines[1]).toMatch(/^\| -+ \| -+ \| -+ \| -+: \| -+: \| -+: \|$/)
    expect(new Set(lines.map((l) => l.length)).size).toBe(1)
  })

  it('labels scaled times, shows ratios and prints why an engine did not run', () => {
    expect(lines[3]).toContain('2,600')
    expect(lines[3]).toContain('26.0×')
    expect(lines[5]).toContain('160,000 (T=8, scaled)')
    expect(lines[5]).toContain('80.0×')
    expect(lines[4]).not.toContain('scaled')
    expect(lines[6]).toContain('not installed (no module torch)')
    expect(lines[6]).toContain('inference')
  })
})

describe('device work per call', () => {
  const work = { submissions: 1, passes: 1, dispatches: 287, writes: 1, readBacks: 1 }

  it('is described in words, singular where one', () => {
    expect(describeWork(work)).toBe('287 dispatches, 1 pass, 1 submission, 1 write, 1 read-back')
    expect(describeWork({ ...work, passes: 2, dispatches: 1 })).toMatch(/^1 dispatch, 2 passes,/)
  })

  it('is a last column only when some row counts it', () => {
    expect(formatTable(rows)).not.toContain('device work')
    const lines = formatTable([{ ...rows[0]!, work }, rows[1]!]).split('\n')
    expect(lines[0]).toMatch(/\| device work per call +\|$/)
    expect(lines[2]).toContain('| 287 dispatches, 1 pass, 1 submission, 1 write, 1 read-back |')
    expect(lines[3]).toMatch(/\| — +\|$/)
    expect(new Set(lines.map((l) => l.length)).size).toBe(1)
  })
})
