import type { CheckCase } from './workload.js'

/** Relative to Σ|h·R|: float32 rounding stays far below it, a wrong weight layout far above. */
export const lossTolerance = 2e-5

export class LossMismatchError extends Error {}

/**
 * Throws, naming the engine and both losses, when an engine's loss on the check case differs from
 * the float64 reference by more than the tolerance. Returns the relative difference otherwise.
 */
export function checkLoss(engine: string, loss: number, check: CheckCase): number {
  const relative = Math.abs(loss - check.loss) / check.scale
  if (!Number.isFinite(loss) || !(relative <= lossTolerance))
    throw new LossMismatchError(
      `${engine}: loss ${loss} on the check sequence (B=${check.batch}, T=${check.steps}) differs from ` +
        `the float64 reference ${check.loss} by ${(relative * 100).toExponential(2)}% of Σ|h·R| = ` +
        `${check.scale.toFixed(3)} (tolerance ${lossTolerance * 100}%): its weights are not mapped right`,
    )
  return relative
}
