/** Learning-rate schedules: the rate for step t (0-based) of `total` steps. */
export type Schedule =
  | { readonly kind: 'constant' }
  | { readonly kind: 'cosine'; readonly warmup?: number; readonly minFactor?: number }
  | { readonly kind: 'linear'; readonly warmup?: number }
  | { readonly kind: 'step'; readonly every: number; readonly gamma: number }

export const scheduleKinds = ['constant', 'cosine', 'linear', 'step'] as const

/**
 * Throws unless `schedule` is one of the kinds with its fields: a caller in plain JavaScript may
 * leave it out or misspell it, which would otherwise fail as "Cannot use 'in' operator".
 */
export function checkSchedule(schedule: unknown, field = 'schedule'): asserts schedule is Schedule {
  const s = schedule as { kind?: unknown; every?: unknown; gamma?: unknown } | null | undefined
  if (typeof s !== 'object' || s === null || !scheduleKinds.includes(s.kind as Schedule['kind']))
    throw new RangeError(
      `${field} must be an object { kind: ${scheduleKinds.map((k) => `'${k}'`).join(' | ')}, ... }, got ${JSON.stringify(schedule) ?? String(schedule)}`,
    )
  if (s.kind === 'step' && !(Number(s.every) >= 1 && Number.isFinite(Number(s.gamma))))
    throw new RangeError(`${field} of kind 'step' needs every (>= 1) and gamma (a number)`)
}

export function learningRate(base: number, schedule: Schedule, step: number, total: number): number {
  checkSchedule(schedule)
  const warmup = 'warmup' in schedule ? (schedule.warmup ?? 0) : 0
  if (step < warmup) return (base * (step + 1)) / warmup
  const progress = total > warmup ? Math.min(1, (step - warmup) / (total - warmup)) : 1
  switch (schedule.kind) {
    case 'constant':
      return base
    case 'cosine': {
      const floor = schedule.minFactor ?? 0
      return base * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)))
    }
    case 'linear':
      return base * (1 - progress)
    case 'step':
      return base * schedule.gamma ** Math.floor(step / schedule.every)
  }
}
