import type { GpuProfile } from '@cellgraph/backends'
import { modeLabel } from './configs.js'
import { formatNumber, markdownTable, type TableRow } from './table.js'

/** A profile in one line: "product 1.20 ms (64 dispatches, 71%), pointwise …; 1.69 ms in kernels". */
export function describeProfile(p: GpuProfile): string {
  const share = (ms: number) => (p.gpuMs > 0 ? `, ${((100 * ms) / p.gpuMs).toFixed(0)}%` : '')
  const kinds = p.kinds.map(
    (k) =>
      `${k.kind} ${formatNumber(k.ms)} ms (${k.dispatches.toLocaleString('en-US')} dispatches${share(k.ms)})`,
  )
  return `${kinds.join(', ')}; ${formatNumber(p.gpuMs)} ms in kernels`
}

/**
 * The profiled rows as a Markdown table, one line per kernel kind: GPU time in one call, its
 * dispatches, and its share of the time in kernels. Empty when no row was profiled.
 */
export function formatProfiles(rows: readonly TableRow[]): string {
  const lines: string[][] = []
  for (const r of rows) {
    const p = r.profile
    if (!p) continue
    for (const k of p.kinds)
      lines.push([
        r.config,
        modeLabel[r.mode],
        r.engine,
        k.kind,
        k.dispatches.toLocaleString('en-US'),
        formatNumber(k.ms),
        p.gpuMs > 0 ? `${((100 * k.ms) / p.gpuMs).toFixed(0)}%` : '—',
      ])
  }
  if (lines.length === 0) return ''
  const header = ['config', 'mode', 'engine', 'kernel kind', 'dispatches', 'GPU ms', 'share']
  return markdownTable(header, lines, (i) => i >= 4)
}
