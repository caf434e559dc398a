import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Mode, TableRow } from '@cellgraph/bench'
import { formatNumber, formatProfiles, formatTable, markdownTable } from '@cellgraph/bench'
import { CONFORMANCE_TOLERANCE } from '@cellgraph/testing'
import type { AdapterReport } from './adapter.js'
import type { CaseResult } from './conformance.js'
import { type TrainRate, trainRate } from './trainRate.js'

/** What the bench writes with --json (the fields the summary reads). */
interface BenchJson {
  readonly date: string
  readonly rows: readonly TableRow[]
  readonly flops: readonly { config: string; cell: string; train: number; infer: number }[]
}

const peerNames: Record<string, string> = {
  cuda: 'PyTorch cuDNN (nn.LSTM / nn.GRU)',
  eager: 'PyTorch eager, custom cell',
  compiled: 'PyTorch torch.compile, custom cell',
}

/** Rows of the PyTorch peer scripts' output ("torch-cuda lstm medium train median 4.570 ms …"). */
export function peerRows(text: string, flops: BenchJson['flops']): TableRow[] {
  return [...text.matchAll(/^torch-(\w+) (\w+) (\w+) (train|infer) median ([\d.]+) ms/gm)].map((m) => {
    const [, peer, cell, config, mode, ms] = m as unknown as string[]
    const counted = flops.find((f) => f.config === config && f.cell === cell)
    const engine = peerNames[peer!] ?? `torch-${peer}`
    const row: TableRow = {
      config: config!,
      mode: mode as Mode,
      engine: cell === 'lstm' ? engine : `${engine} [${cell}]`,
      steps: 0,
      ms: Number(ms),
    }
    return counted ? { ...row, gflops: counted[mode as Mode] / (Number(ms) * 1e6) } : row
  })
}

const cellOf = (engine: string) => /\[(.+)\]$/.exec(engine)?.[1] ?? 'lstm'

/**
 * Each peer row's time over cellgraph webgpu's for the same config, mode and cell, sorted by
 * config, mode and cell; peers of a cell cellgraph did not run are left out.
 */
export function mergeRows(cellgraph: readonly TableRow[], peers: readonly TableRow[]): TableRow[] {
  const base = (r: TableRow) =>
    cellgraph.find(
      (c) => c.config === r.config && c.mode === r.mode && cellOf(c.engine) === cellOf(r.engine) && c.ms,
    )
  const withRatio = peers.flatMap((p) => {
    const b = base(p)
    return b ? [{ ...p, ratio: p.ms! / b.ms! }] : []
  })
  const order = ['small', 'medium', 'large']
  const key = (r: TableRow) => [
    order.indexOf(r.config),
    r.mode === 'train' ? 0 : 1,
    cellOf(r.engine) === 'lstm' ? 0 : 1,
  ]
  const all = [...cellgraph, ...withRatio].map((r, k) => ({ r, k }))
  all.sort((a, b) => {
    const [x, y] = [key(a.r), key(b.r)]
    return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]! || a.k - b.k
  })
  return all.map((x) => x.r)
}

const find = (rows: readonly TableRow[], config: string, mode: Mode, engine: string) =>
  rows.find((r) => r.config === config && r.mode === mode && r.engine === engine && r.ms !== undefined)

/** The issue's targets against the measured rows: target, measured, verdict. */
export function targetLines(
  rows: readonly TableRow[],
  train?: { gpu?: TrainRate; cpu?: TrainRate },
): string[][] {
  const lines: string[][] = []
  const cg = 'cellgraph webgpu'
  const time = (label: string, config: string, mode: Mode, bound: number) => {
    const r = find(rows, config, mode, cg)
    lines.push([label, r ? `${formatNumber(r.ms!)} ms` : 'not measured', verdict(r?.ms, bound, 'max')])
  }
  time('LSTM medium training ≤ 10 ms (stretch 5; cuDNN 4.6 on the H200)', 'medium', 'train', 10)
  time('LSTM medium inference ≤ 4 ms', 'medium', 'infer', 4)
  time('LSTM large training ≤ 30 ms', 'large', 'train', 30)
  for (const config of ['medium', 'large'])
    for (const mode of ['train', 'infer'] as const) {
      const ln = find(rows, config, mode, `${cg} [layer_norm_lstm]`)
      const lstm = find(rows, config, mode, cg)
      const eager = find(rows, config, mode, `${peerNames.eager} [layer_norm_lstm]`)
      if (ln?.gflops && lstm?.gflops) {
        const f = ln.gflops / lstm.gflops
        lines.push([
          `layer_norm_lstm ${config} ${mode}: ≥ 2/3 of the LSTM's GFLOP/s`,
          `${(100 * f).toFixed(0)}%`,
          verdict(f, 2 / 3, 'min'),
        ])
      }
      if (ln?.ms && eager?.ms)
        lines.push([
          `layer_norm_lstm ${config} ${mode}: ≥ 2× faster than eager PyTorch`,
          `${formatNumber(eager.ms / ln.ms)}×`,
          verdict(eager.ms / ln.ms, 2, 'min'),
        ])
    }
  if (train?.gpu && train.cpu) {
    const x = train.gpu.tokensPerSecond / train.cpu.tokensPerSecond
    lines.push([
      `train --backend webgpu ≥ 5× the CPU's tokens/s (hidden ${train.gpu.hidden}, batch ${train.gpu.batch})`,
      `${formatNumber(train.gpu.tokensPerSecond)} vs ${formatNumber(train.cpu.tokensPerSecond)} tok/s: ${formatNumber(x)}×`,
      verdict(x, 5, 'min'),
    ])
  }
  return lines
}

/** "met", or by how much it is missed (a bound on time: over by; on a rate: short by). */
function verdict(value: number | undefined, bound: number, kind: 'max' | 'min'): string {
  if (value === undefined) return '—'
  if (kind === 'max') return value <= bound ? 'met' : `missed: ${formatNumber(value / bound)}× the bound`
  return value >= bound ? 'met' : `missed: ${(100 * (1 - value / bound)).toFixed(0)}% short`
}

const read = (dir: string, name: string) => {
  const p = join(dir, name)
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined
}
const json = <T>(dir: string, name: string): T | undefined => {
  const text = read(dir, name)
  try {
    return text ? (JSON.parse(text) as T) : undefined
  } catch {
    return undefined
  }
}

/** The whole run's summary in Markdown, from whatever files the device script left in `dir`. */
export function summarize(dir: string): string {
  const out: string[] = []
  const adapter = json<AdapterReport>(dir, 'adapter.json')
  const bench = json<BenchJson>(dir, 'bench.json')
  out.push(
    `## WebGPU on ${adapter?.name ?? 'an unknown adapter'}${bench ? ` (${bench.date.slice(0, 16)} UTC)` : ''}`,
    '',
  )
  if (adapter)
    out.push(
      `timestamp-query ${adapter.timestampQuery ? 'offered' : 'not offered'}, subgroups ${adapter.subgroups ? 'offered' : 'not offered'}; ` +
        `maxStorageBufferBindingSize ${adapter.limits.maxStorageBufferBindingSize}, maxComputeWorkgroupStorageSize ${adapter.limits.maxComputeWorkgroupStorageSize}.`,
      '',
    )

  const cases = json<CaseResult[]>(dir, 'conformance.json')
  if (cases) {
    const failed = cases.filter((c) => !c.ok)
    const ofBound = Math.max(...cases.map((c) => c.worstOfBound))
    out.push(
      `Conformance on WebGPU against the float64 reference (forward and BPTT): ${cases.length - failed.length} of ${cases.length} cases within the suite's tolerance; ` +
        `the worst error is ${(100 * ofBound).toFixed(1)}% of its bound (|got − want| ≤ ${CONFORMANCE_TOLERANCE.absolute} + ${CONFORMANCE_TOLERANCE.relative}·max|want|).`,
      ...failed.map((c) => `- FAILED ${c.problem}`),
      '',
    )
  } else out.push('Conformance: no result (see steps below).', '')

  const peers = bench
    ? peerRows(`${read(dir, 'torch-cuda.txt') ?? ''}\n${read(dir, 'torch-custom.txt') ?? ''}`, bench.flops)
    : []
  const rows = bench ? mergeRows(bench.rows, peers) : []
  if (rows.length) out.push(formatTable(rows), '')
  else out.push('Bench: no result (see steps below).', '')

  const gpu = trainRate(read(dir, 'train-webgpu.txt') ?? '')
  const cpu = trainRate(read(dir, 'train-cpu.txt') ?? '')
  const targets = targetLines(rows, { gpu, cpu })
  if (targets.length)
    out.push(
      'Targets (issue 14):',
      '',
      markdownTable(['target', 'measured', ''], targets, () => false),
      '',
    )
  for (const t of [gpu, cpu])
    if (t)
      out.push(
        `cellgraph train --backend ${t.backend}: ${formatNumber(t.tokensPerSecond)} tokens/s (hidden ${t.hidden}, batch ${t.batch}, window ${t.window}, over ${t.steps} steps after the first).`,
      )
  if (gpu || cpu) out.push('')

  const profiles = bench ? formatProfiles(bench.rows) : ''
  if (profiles) out.push('GPU time by kernel kind (one profiled call each, `--profile`):', '', profiles, '')

  const sweepDir = join(dir, 'sweep')
  if (existsSync(sweepDir)) {
    const lines: string[][] = []
    for (const f of readdirSync(sweepDir)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const sweep = json<BenchJson>(sweepDir, f)
      for (const r of sweep?.rows ?? [])
        lines.push([
          f.replace(/\.json$/, ''),
          r.config,
          r.mode,
          r.engine,
          r.ms === undefined ? (r.status ?? '—') : formatNumber(r.ms),
        ])
    }
    if (lines.length)
      out.push(
        'Product-kernel sweep (CELLGRAPH_WEBGPU_MATMUL, see src/sweep.ts):',
        '',
        markdownTable(['setting', 'config', 'mode', 'engine', 'median ms'], lines, (i) => i === 4),
        '',
      )
  }
  const steps = read(dir, 'steps.txt')
  if (steps) out.push('Steps (name, exit status, seconds):', '', '```', steps.trim(), '```', '')
  return out.join('\n')
}
