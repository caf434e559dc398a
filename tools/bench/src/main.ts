#!/usr/bin/env node
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import {
  type BenchConfig,
  configByName,
  configs,
  describeConfig,
  type Mode,
  modeLabel,
  modes,
} from './configs.js'
import { selectEngines } from './engines/index.js'
import { formatKernelRows, runKernelBenchmarks } from './kernels/index.js'
import { formatProfiles } from './profileTable.js'
import { type BenchResult, fractionsOfLstm, runBench } from './run.js'
import { formatNumber, formatTable } from './table.js'
import type { TimingPlan } from './timing.js'

const usage = `Usage: pnpm bench [-- options]

  --configs LIST   small, medium, large (default: all)
  --modes LIST     train, infer (default: both)
  --engines LIST   words matching engine keys: cellgraph, tfjs-wasm, tfjs-cpu, layers, cell, brain, pytorch
                   (default: all)
  --reps N         timed runs per measurement (default: 15 at small, 3 otherwise)
  --warmup N       untimed runs first (default: 5 at small, 1 otherwise)
  --scaled-steps N timesteps slow engines are timed on at most at the large size, then scaled to T,
                   and the fewest the others go down to (default 8)
  --budget S       engines are timed on fewer steps (scaled) where their timed runs at one config
                   and mode would take more than S seconds (default 30)
  --cells LIST     cells besides the LSTM that cellgraph runs: gru, layer_norm_lstm (default: both; 'none')
  --cell-configs L the configs those cells run at (default: medium)
  --profile        after timing each WebGPU measurement, one more call with every kernel timed
                   (timestamp queries, where the adapter offers them): GPU time by kernel kind
  --json FILE      also write the results (rows with device work and profiles, FLOPs) as JSON
  --kernels        also print the WebAssembly kernels' micro-benchmarks (matrix products at the
                   chosen configs' shapes on 1 and 2 threads, pointwise throughput)
  --help`

const list = (value: string | undefined) =>
  value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : []
const count = (value: string | undefined, what: string) => {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${what} must be a whole number, got '${value}'`)
  return n
}

/** The results as data, for tools that build their own tables (tools/gpu). */
const benchJson = (result: BenchResult, plan: (c: BenchConfig) => TimingPlan, chosen: BenchConfig[]) => ({
  date: new Date().toISOString(),
  node: process.versions.node,
  cores: cpus().length,
  plans: Object.fromEntries(chosen.map((c) => [c.name, plan(c)])),
  rows: result.rows,
  flops: result.flops.map(({ config, cell, flops }) => ({ config: config.name, cell, ...flops })),
  fractionsOfLstm: fractionsOfLstm(result.rows).map(({ row, fraction }) => ({
    config: row.config,
    mode: row.mode,
    engine: row.engine,
    fraction,
  })),
  failures: result.failures,
})

async function main() {
  const { values } = parseArgs({
    options: {
      configs: { type: 'string' },
      modes: { type: 'string' },
      engines: { type: 'string' },
      reps: { type: 'string' },
      warmup: { type: 'string' },
      'scaled-steps': { type: 'string' },
      budget: { type: 'string' },
      cells: { type: 'string' },
      'cell-configs': { type: 'string' },
      kernels: { type: 'boolean' },
      profile: { type: 'boolean' },
      json: { type: 'string' },
      help: { type: 'boolean' },
    },
  })
  if (values.help) return void console.log(usage)
  const chosen: BenchConfig[] = values.configs ? list(values.configs).map(configByName) : [...configs]
  const chosenModes = list(values.modes)
  for (const m of chosenModes)
    if (!modes.includes(m as Mode)) throw new Error(`unknown mode '${m}'; the modes are ${modes.join(', ')}`)
  const reps = count(values.reps, 'reps')
  const warmup = count(values.warmup, 'warmup')
  if (reps === 0) throw new Error('--reps must be at least 1')
  const plan = (c: BenchConfig): TimingPlan => ({
    reps: reps ?? (c.name === 'small' ? 15 : 3),
    warmup: warmup ?? (c.name === 'small' ? 5 : 1),
  })
  const engines = selectEngines(list(values.engines))
  const started = Date.now()
  const result = await runBench({
    configs: chosen,
    modes: chosenModes.length ? (chosenModes as Mode[]) : modes,
    engines,
    otherCells: values.cells === 'none' ? [] : values.cells ? list(values.cells) : ['gru', 'layer_norm_lstm'],
    otherCellConfigs: values['cell-configs'] ? list(values['cell-configs']) : ['medium'],
    plan,
    scaledSteps: count(values['scaled-steps'], 'scaled-steps') ?? 8,
    budgetMs: 1000 * (count(values.budget, 'budget') ?? 30),
    log: (line) => process.stderr.write(`${line}\n`),
    profile: values.profile,
  })
  const date = new Date().toISOString().slice(0, 10)
  console.log(`cellgraph bench, ${date}, ${cpus().length} cores, Node ${process.versions.node}`)
  console.log(`medians of ${chosen.map((c) => `${plan(c).reps} runs at ${c.name}`).join(', ')}\n`)
  console.log(formatTable(result.rows))
  console.log('')
  const profiles = formatProfiles(result.rows)
  if (profiles) console.log(`GPU time by kernel kind, one profiled call each:\n\n${profiles}\n`)
  else if (values.profile) console.log('--profile: no engine here offers per-kernel timing\n')
  if (values.json) writeFileSync(values.json, `${JSON.stringify(benchJson(result, plan, chosen), null, 1)}\n`)
  for (const { config, cell, flops } of result.flops)
    console.log(
      `${config.name} ${cell} (${describeConfig(config)}): ${formatNumber(flops.infer / 1e9)} GFLOP per inference, ` +
        `${formatNumber(flops.train / 1e9)} per training step`,
    )
  for (const { row, fraction } of fractionsOfLstm(result.rows))
    console.log(
      `${row.config} ${modeLabel[row.mode]}: ${row.engine} runs at ${(100 * fraction).toFixed(0)}% of the LSTM's GFLOP/s (target ≥ 67%)`,
    )
  for (const e of engines) if (e.note) console.log(`- ${e.note}`)
  if (result.rows.some((r) => r.engine.includes('reference BLAS')))
    console.log(
      "- PyTorch runs on Debian's reference BLAS here, far below its real speed: " +
        'apt-get install libopenblas0-pthread, then rerun.',
    )
  if (values.kernels) {
    const sized = chosen.filter((c) => c.name !== 'small')
    console.log(`\n${formatKernelRows(await runKernelBenchmarks(sized.length ? { configs: sized } : {}))}`)
  }
  console.log(`\n${((Date.now() - started) / 1000).toFixed(0)} s in all`)
  if (result.failures.length) {
    console.error(
      `\n${result.failures.length} engine(s) failed the loss check:\n${result.failures.join('\n')}`,
    )
    process.exitCode = 1
  }
}

main().catch((error: Error) => {
  console.error(error.message)
  process.exitCode = 1
})
