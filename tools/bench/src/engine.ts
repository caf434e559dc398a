import type { GpuProfile, GpuWork } from '@cellgraph/backends'
import { checkLoss } from './agreement.js'
import type { BenchConfig, Mode } from './configs.js'
import { median, type TimingPlan, timeRuns } from './timing.js'
import type { CheckCase, Problem } from './workload.js'

/** One timed (engine, mode) pair of a config. Times are scaled to the config's full T. */
export interface Measurement {
  readonly engine: string
  readonly mode: Mode
  /** Timesteps actually timed; fewer than the config's T when a slow engine is scaled. */
  readonly stepsTimed: number
  /** Each timed run in ms, as measured on `stepsTimed` steps. */
  readonly runsMs: readonly number[]
  /** The median scaled to the full sequence: median(runsMs) · T / stepsTimed. */
  readonly medianMs: number
  readonly note?: string
  /** What the last timed call cost the device, on a backend that counts it (WebGPU). */
  readonly work?: GpuWork
  /** GPU time by kernel kind of one more call after the timed ones (`--profile`, WebGPU). */
  readonly profile?: GpuProfile
}

export interface RunRequest {
  readonly modes: readonly Mode[]
  readonly plan: TimingPlan
  /** Timesteps to time (the config's T, or fewer for an engine scaled at the large size). */
  readonly steps: number
  /**
   * When set, a measurement projected to take longer than this (all timed runs together) is timed
   * on fewer steps instead, a power of two no smaller than `minSteps`, and scaled to T.
   */
  readonly budgetMs?: number
  readonly minSteps?: number
  /** After timing, profile one more call per kernel kind where the engine can (`--profile`). */
  readonly profile?: boolean
}

/** What an engine reports: measurements, or why it could not run (not installed, failed). */
export type Outcome =
  | { readonly engine: string; readonly measurements: readonly Measurement[] }
  | { readonly engine: string; readonly unavailable: string }

export interface Engine {
  readonly name: string
  /** Shown under the table: what the engine runs, when it differs from the standard LSTM. */
  readonly note?: string
  /** Whether it is too slow for the full large config (then timed on fewer steps and scaled). */
  readonly slow?: boolean
  /** Whether it runs any cellgraph cell (the GRU, the custom cell), not only the standard LSTM. */
  readonly anyCell?: boolean
  /** The modes it can run (default both). */
  readonly modes?: readonly Mode[]
  /** A reason not to run at this config (e.g. far too slow), or undefined to run. */
  skip?(config: BenchConfig): string | undefined
  run(problem: Problem, request: RunRequest): Promise<Measurement[]>
}

/** An engine opened on one problem: runs in its own input layout, prepared outside the timing. */
export interface Session<In> {
  /** The loss on the check case; absent for engines that run a different LSTM variant. */
  checkLoss?(check: CheckCase): Promise<number>
  /** Converts a time-major [steps, B, I] input into the engine's own layout (not timed). */
  prepare(x: Float32Array, steps: number): In
  train(input: In, steps: number): Promise<void>
  infer(input: In, steps: number): Promise<void>
  /** What the latest call of a mode cost the device, where the engine counts it. */
  work?(mode: Mode): GpuWork | undefined
  /** Runs `call` as a profiling run and returns its GPU time by kernel kind, where the engine can. */
  profiled?(call: () => Promise<void>): Promise<GpuProfile>
  dispose(): void
}

/**
 * Checks an in-process engine's loss against the reference (throwing on mismatch), then times
 * each requested mode on different inputs per run.
 */
export async function measureSession<In>(
  name: string,
  session: Session<In>,
  problem: Problem,
  request: RunRequest,
): Promise<Measurement[]> {
  try {
    if (session.checkLoss) checkLoss(name, await session.checkLoss(problem.check), problem.check)
    const { plan } = request
    const measurements: Measurement[] = []
    for (const mode of request.modes) {
      const run = (input: In, n: number) =>
        mode === 'train' ? session.train(input, n) : session.infer(input, n)
      const steps = await stepsWithinBudget(session, problem, request, run)
      const inputs = Array.from({ length: plan.warmup + plan.reps }, (_, k) =>
        session.prepare(problem.inputs(k, steps), steps),
      )
      const runsMs = await timeRuns(inputs, plan, (input) => run(input, steps))
      const work = session.work?.(mode) // of the last timed call, before a profiled one
      const profile =
        request.profile && session.profiled
          ? await session.profiled(() => run(inputs.at(-1)!, steps))
          : undefined
      measurements.push({
        engine: name,
        mode,
        stepsTimed: steps,
        runsMs,
        medianMs: (median(runsMs) * problem.config.steps) / steps,
        work,
        ...(profile ? { profile } : {}),
      })
    }
    return measurements
  } finally {
    session.dispose()
  }
}

/**
 * The steps to time: `request.steps`, unless a budget is set and two short probe runs (the second
 * one timed) project the timed runs past it; then the largest power of two that fits, at least
 * `minSteps`.
 */
async function stepsWithinBudget<In>(
  session: Session<In>,
  problem: Problem,
  request: RunRequest,
  run: (input: In, steps: number) => Promise<void>,
): Promise<number> {
  const { steps, budgetMs, plan } = request
  const minSteps = Math.min(request.minSteps ?? steps, steps)
  if (budgetMs === undefined || minSteps === steps) return steps
  const probe = session.prepare(problem.inputs(0, minSteps), minSteps)
  await run(probe, minSteps)
  const start = performance.now()
  await run(probe, minSteps)
  const perStep = (performance.now() - start) / minSteps
  let chosen = steps
  while (chosen > minSteps && perStep * chosen * plan.reps > budgetMs)
    chosen = Math.max(minSteps, chosen >> 1)
  return chosen
}

/** An engine that cannot run here (not installed, fails to load): the table prints the reason. */
export class NotInstalled extends Error {}
