import { LossMismatchError } from './agreement.js'
import { type BenchConfig, describeConfig, type Mode } from './configs.js'
import { type Engine, type Measurement, NotInstalled } from './engine.js'
import { countFlops } from './flops.js'
import { benchCells } from './model.js'
import { type TableRow, withRatios } from './table.js'
import type { TimingPlan } from './timing.js'
import { makeProblem, type Problem } from './workload.js'

export interface BenchOptions {
  readonly configs: readonly BenchConfig[]
  readonly modes: readonly Mode[]
  readonly engines: readonly Engine[]
  /** Timing per config (warm-up and timed runs); the default depends on the size. */
  readonly plan: (config: BenchConfig) => TimingPlan
  /** Timesteps a slow engine is timed on at the large size, then scaled to T. */
  readonly scaledSteps: number
  /** Progress lines (stderr in the CLI). */
  readonly log: (line: string) => void
}

export interface BenchResult {
  readonly rows: TableRow[]
  /** Loss mismatches: engines that computed something else than the reference on the same weights. */
  readonly failures: string[]
  readonly flops: { config: BenchConfig; flops: Record<Mode, number>; trainingEstimated: boolean }[]
}

/**
 * FLOPs of one run of the workload: the forward graph's matrix products, and for a training step
 * the backward graph's too. Until training graphs exist the backward half is estimated as two
 * products per forward product (input and weight gradients), the usual count.
 */
export function workloadFlops(problem: Problem): { flops: Record<Mode, number>; trainingEstimated: boolean } {
  const { batch, steps } = problem.config
  const forward = countFlops(problem.graph, { batch, steps })
  return { flops: { infer: forward, train: 3 * forward }, trainingEstimated: true }
}

/** True for cellgraph's own rows: the baseline every peer is compared with. */
export const isCellgraph = (engine: string) => engine.startsWith('cellgraph')

const stepsFor = (engine: Engine, config: BenchConfig, scaledSteps: number) =>
  engine.slow && config.name === 'large' ? Math.min(scaledSteps, config.steps) : config.steps

/** Runs every engine on every config and mode and returns the table rows (ratios included). */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const rows: TableRow[] = []
  const failures: string[] = []
  const flops: BenchResult['flops'] = []
  for (const config of options.configs) {
    const problem = makeProblem(benchCells.lstm!, config)
    const counted = workloadFlops(problem)
    flops.push({ config, ...counted })
    options.log(`${config.name} (${describeConfig(config)})`)
    for (const engine of options.engines) {
      const modes = options.modes.filter((m) => (engine.modes ?? ['train', 'infer']).includes(m))
      if (modes.length === 0) continue
      const skip = engine.skip?.(config)
      if (skip) continue
      const steps = stepsFor(engine, config, options.scaledSteps)
      const status = (text: string) =>
        modes.forEach((mode) =>
          rows.push({ config: config.name, mode, engine: engine.name, steps: config.steps, status: text }),
        )
      let measured: Measurement[]
      try {
        measured = await engine.run(problem, { modes, plan: options.plan(config), steps })
      } catch (error) {
        const message = (error as Error).message
        if (error instanceof NotInstalled) status(message)
        else if (error instanceof LossMismatchError) {
          failures.push(message)
          options.log(`  LOSS MISMATCH: ${message}`)
          status('loss mismatch: not timed')
        } else {
          options.log(`  ${engine.name} failed: ${(error as Error).stack}`)
          status(`failed: ${message.split('\n')[0]}`)
        }
        continue
      }
      for (const m of measured) {
        options.log(
          `  ${m.engine} ${m.mode}: ${m.medianMs.toFixed(3)} ms (runs ${m.runsMs.map((t) => t.toFixed(2)).join(', ')} on T=${m.stepsTimed})`,
        )
        rows.push({
          config: config.name,
          mode: m.mode,
          engine: m.engine,
          steps: config.steps,
          stepsTimed: m.stepsTimed,
          ms: m.medianMs,
          gflops: counted.flops[m.mode] / (m.medianMs * 1e6),
        })
      }
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
