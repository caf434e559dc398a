/** Learning-rate schedules: the rate for step t (0-based) of `total` steps. */
export type Schedule =
  | { readonly kind: 'constant' }
  | { readonly kind: 'cosine'; readonly warmup?: number; readonly minFactor?: number }
  | { readonly kind: 'linear'; readonly warmup?: number }
  | { readonly kind: 'step'; readonly every: number; readonly gamma: number }

export const scheduleKinds = ['constant', 'cosine', 'linear', 'step'] as const

export function learningRate(base: number, schedule: Schedule, step: number, total: number): number {
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
