/** Optimizer settings; the defaults follow PyTorch's torch.optim. */
export type OptimizerConfig =
  | { readonly kind: 'sgd'; readonly momentum?: number; readonly weightDecay?: number }
  | {
      readonly kind: 'adam' | 'adamw'
      readonly beta1?: number
      readonly beta2?: number
      readonly eps?: number
      readonly weightDecay?: number
    }

export type OptimizerKind = OptimizerConfig['kind']
export const optimizerKinds: readonly OptimizerKind[] = ['sgd', 'adam', 'adamw']

/** Every setting filled in: PyTorch's defaults (AdamW's weight decay defaults to 0.01 as there). */
export function withDefaults(config: OptimizerConfig) {
  if (config.kind === 'sgd')
    return { kind: 'sgd' as const, momentum: config.momentum ?? 0, weightDecay: config.weightDecay ?? 0 }
  return {
    kind: config.kind,
    beta1: config.beta1 ?? 0.9,
    beta2: config.beta2 ?? 0.999,
    eps: config.eps ?? 1e-8,
    weightDecay: config.weightDecay ?? (config.kind === 'adamw' ? 0.01 : 0),
  }
}

/** The per-parameter state tensors an optimizer keeps (PyTorch's momentum_buffer, exp_avg, exp_avg_sq). */
export function optimizerSlots(config: OptimizerConfig): readonly string[] {
  if (config.kind === 'sgd') return (config.momentum ?? 0) !== 0 ? ['momentum_buffer'] : []
  return ['exp_avg', 'exp_avg_sq']
}
