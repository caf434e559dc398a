import { grad } from '@cellgraph/autodiff'
import { LossMismatchError } from './agreement.js'
import { type BenchConfig, describeConfig, type Mode } from './configs.js'
import { type Engine, type Measurement, NotInstalled } from './engine.js'
import { countFlops } from './flops.js'
import { benchCells } from './model.js'
import { describeProfile } from './profileTable.js'
import { describeWork, type TableRow, withRatios } from './table.js'
import type { TimingPlan } from './timing.js'
import { makeProblem, type Problem } from './workload.js'

export interface BenchOptions {
  readonly configs: readonly BenchConfig[]
  readonly modes: readonly Mode[]
  readonly engines: readonly Engine[]
  /** Cells besides the LSTM (names in `benchCells`) that engines accepting any cell also run. */
  readonly otherCells: readonly string[]
  /** The configs at which the other cells run. */
  readonly otherCellConfigs: readonly string[]
  /** Timing per config (warm-up and timed runs). */
  readonly plan: (config: BenchConfig) => TimingPlan
  /** Timesteps a slow engine is timed on (at most) at the large size, then scaled to T. */
  readonly scaledSteps: number
  /** Engines time fewer steps where their timed runs at one config and mode would pass this. */
  readonly budgetMs: number
  /** Progress lines (stderr in the CLI). */
  readonly log: (line: string) => void
  /** Profile one more call of each WebGPU measurement by kernel kind (timestamp queries). */
  readonly profile?: boolean
}

export interface CountedFlops {
  readonly config: BenchConfig
  readonly cell: string
  readonly flops: Record<Mode, number>
}

export interface BenchResult {
  readonly rows: TableRow[]
  /** Loss mismatches: engines that computed something else than the reference on the same weights. */
  readonly failures: string[]
  readonly flops: CountedFlops[]
}

/**
 * FLOPs of one run of the workload, counted over cellgraph's graphs: the forward graph for
 * inference; for a training step the gradient graph (forward and BPTT; the SGD update has no
 * products). Every engine's GFLOP/s divides these same counts by its time.
 */
export function workloadFlops(problem: Problem): Record<Mode, number> {
  const rows = { batch: problem.config.batch, steps: problem.config.steps }
  return {
    infer: countFlops(problem.graph, rows),
    train: countFlops(grad(problem.graph, { loss: 'loss' }), rows),
  }
}

/** True for cellgraph's own rows: the baseline every peer is compared with. */
export const isCellgraph = (engine: string) => engine.startsWith('cellgraph')

/** The label of an engine's rows for a cell other than the LSTM. */
export const cellLabel = (engine: string, cell: string) => (cell === 'lstm' ? engine : `${engine} [${cell}]`)

/**
 * Slow engines at the large size start from the scaled length and may go down to 2 steps; the
 * others start from T and may go down to the scaled length; the budget decides.
 */
const stepsFor = (engine: Engine, config: BenchConfig, options: BenchOptions) =>
  engine.slow && config.name === 'large'
    ? { steps: Math.min(options.scaledSteps, config.steps), budgetMs: options.budgetMs, minSteps: 2 }
    : { steps: config.steps, budgetMs: options.budgetMs, minSteps: options.scaledSteps }

/** Runs every engine on every config and mode and returns the table rows (ratios included). */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const rows: TableRow[] = []
  const failures: string[] = []
  const flops: CountedFlops[] = []

  const measure = async (engine: Engine, problem: Problem, cell: string, counted: Record<Mode, number>) => {
    const { config } = problem
    const modes = options.modes.filter((m) => (engine.modes ?? ['train', 'infer']).includes(m))
    if (modes.length === 0 || engine.skip?.(config)) return
    const label = cellLabel(engine.name, cell)
    const status = (text: string) =>
      modes.forEach((mode) =>
        rows.push({ config: config.name, mode, engine: label, steps: config.steps, status: text }),
      )
    let measured: Measurement[]
    try {
      measured = await engine.run(problem, {
        modes,
        plan: options.plan(config),
        ...stepsFor(engine, config, options),
        profile: options.profile,
      })
    } catch (error) {
      const message = (error as Error).message
      if (error instanceof NotInstalled) status(message)
      else if (error instanceof LossMismatchError) {
        failures.push(message)
        options.log(`  LOSS MISMATCH: ${message}`)
        status('loss mismatch: not timed')
      } else {
        options.log(`  ${label} failed: ${(error as Error).stack}`)
        status(`failed: ${message.split('\n')[0]}`)
      }
      return
    }
    for (const m of measured) {
      const engineLabel = cellLabel(m.engine, cell)
      const runs = m.runsMs.map((t) => t.toFixed(2)).join(', ')
      options.log(
        `  ${engineLabel} ${m.mode}: ${m.medianMs.toFixed(3)} ms (runs ${runs} on T=${m.stepsTimed})` +
          (m.work ? `; per call ${describeWork(m.work)}` : '') +
          (m.profile ? `; profiled: ${describeProfile(m.profile)}` : ''),
      )
      rows.push({
        config: config.name,
        mode: m.mode,
        engine: engineLabel,
        steps: config.steps,
        stepsTimed: m.stepsTimed,
        ms: m.medianMs,
        gflops: counted[m.mode] / (m.medianMs * 1e6),
        work: m.work,
        profile: m.profile,
      })
    }
  }

  for (const config of options.configs) {
    options.log(`${config.name} (${describeConfig(config)})`)
    const cells = ['lstm', ...(options.otherCellConfigs.includes(config.name) ? options.otherCells : [])]
    for (const cell of cells) {
      const definition = benchCells[cell]
      if (!definition)
        throw new Error(`unknown cell '${cell}'; the cells are ${Object.keys(benchCells).join(', ')}`)
      const problem = makeProblem(definition, config)
      const counted = workloadFlops(problem)
      flops.push({ config, cell, flops: counted })
      for (const engine of options.engines)
        if (cell === 'lstm' || engine.anyCell) await measure(engine, problem, cell, counted)
    }
  }
  const order = (r: TableRow) =>
    options.configs.findIndex((c) => c.name === r.config) * 2 + (r.mode === 'train' ? 0 : 1)
  const sorted = rows
    .map((r, k) => ({ r, k }))
    .sort((a, b) => order(a.r) - order(b.r) || a.k - b.k)
    .map((x) => x.r)
  return { rows: withRatios(sorted, isCellgraph), failures, flops }
}

/** Each other cell's GFLOP/s as a fraction of the LSTM's, for the same engine, config and mode. */
export function fractionsOfLstm(
  rows: readonly TableRow[],
): { row: TableRow; lstm: TableRow; fraction: number }[] {
  return rows.flatMap((row) => {
    const match = /^(.*) \[(.+)\]$/.exec(row.engine)
    if (!match || row.gflops === undefined) return []
    const lstm = rows.find((r) => r.engine === match[1] && r.config === row.config && r.mode === row.mode)
    return lstm?.gflops === undefined ? [] : [{ row, lstm, fraction: row.gflops / lstm.gflops }]
  })
}
