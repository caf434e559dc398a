export const median = (values: readonly number[]): number => {
  if (values.length === 0) throw new Error('the median of no values')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export interface TimingPlan {
  /** Untimed runs first (JIT, caches, lazily built kernels). */
  readonly warmup: number
  /** Timed runs; the bench reports their median. */
  readonly reps: number
}

/**
 * Times `reps` runs after `warmup` untimed ones; run k gets `inputs[k]` (a different input each
 * time) and the time includes everything `step` does, including waiting for its result.
 */
export async function timeRuns<In>(
  inputs: readonly In[],
  plan: TimingPlan,
  step: (input: In) => Promise<void> | void,
): Promise<number[]> {
  if (inputs.length < plan.warmup + plan.reps)
    throw new Error(`${plan.warmup + plan.reps} runs need as many inputs, got ${inputs.length}`)
  for (let k = 0; k < plan.warmup; k++) await step(inputs[k]!)
  const times: number[] = []
  for (let k = plan.warmup; k < plan.warmup + plan.reps; k++) {
    const start = performance.now()
    await step(inputs[k]!)
    times.push(performance.now() - start)
  }
  return times
}
