import type { GpuProfile, GpuWork } from '@cellgraph/backends'
import { type Mode, modeLabel } from './configs.js'

/** One line of the results table. */
export interface TableRow {
  readonly config: string
  readonly mode: Mode
  readonly engine: string
  /** The config's T, and the timesteps actually timed when fewer (a scaled result). */
  readonly steps: number
  readonly stepsTimed?: number
  readonly ms?: number
  readonly gflops?: number
  /** The peer's time over cellgraph's: how many times faster cellgraph is. */
  readonly ratio?: number
  /** Why there is no time: "not installed: …", "failed: …". */
  readonly status?: string
  /** What one timed call cost the device (WebGPU rows). */
  readonly work?: GpuWork
  /** GPU time by kernel kind of one profiled call (`--profile`, WebGPU rows). */
  readonly profile?: GpuProfile
}

const counting = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`

/** One call's device work in words: "287 dispatches, 1 pass, 1 submission, 1 write, 1 read-back". */
export function describeWork(w: GpuWork): string {
  return [
    counting(w.dispatches, 'dispatch', 'dispatches'),
    counting(w.passes, 'pass', 'passes'),
    counting(w.submissions, 'submission'),
    counting(w.writes, 'write'),
    counting(w.readBacks, 'read-back'),
  ].join(', ')
}

/** Three significant digits, thousands separated: 0.0123, 1.23, 123, 12,300. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (value === 0) return '0'
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))))
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

const cells = (row: TableRow): string[] => {
  const scaled = row.stepsTimed !== undefined && row.stepsTimed !== row.steps
  return [
    row.config,
    modeLabel[row.mode],
    row.engine,
    row.ms === undefined
      ? (row.status ?? '—')
      : formatNumber(row.ms) + (scaled ? ` (T=${row.stepsTimed}, scaled)` : ''),
    row.gflops === undefined ? '—' : formatNumber(row.gflops),
    row.ratio === undefined ? '—' : `${formatNumber(row.ratio)}×`,
  ]
}

export const tableHeader = ['config', 'mode', 'engine', 'median ms', 'GFLOP/s', 'peer ms ÷ cellgraph ms']
const workHeader = 'device work per call'

/** An aligned Markdown table; numeric columns are right-aligned. */
export function markdownTable(
  header: readonly string[],
  body: readonly (readonly string[])[],
  numeric: (column: number) => boolean,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)))
  const line = (r: readonly string[]) =>
    `| ${r.map((c, i) => (numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`
  const rule = `| ${widths.map((w, i) => (numeric(i) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`
  return [line(header), rule, ...body.map(line)].join('\n')
}

/**
 * The rows as an aligned Markdown table (readable in a terminal, pasteable into a README); a
 * last column of device work per call when some row counts it.
 */
export function formatTable(rows: readonly TableRow[]): string {
  const withWork = rows.some((r) => r.work)
  const header = withWork ? [...tableHeader, workHeader] : tableHeader
  const body = rows.map((r) => (withWork ? [...cells(r), r.work ? describeWork(r.work) : '—'] : cells(r)))
  return markdownTable(header, body, (i) => i >= 3 && i <= 5)
}

/** Speed-ups against the baseline row (cellgraph's) of the same config and mode. */
export function withRatios(rows: readonly TableRow[], isBaseline: (engine: string) => boolean): TableRow[] {
  return rows.map((row) => {
    const base = rows.find(
      (b) => b.config === row.config && b.mode === row.mode && isBaseline(b.engine) && b.ms !== undefined,
    )
    if (!base || base === row || row.ms === undefined || isBaseline(row.engine)) return row
    return { ...row, ratio: row.ms / base.ms! }
  })
}
