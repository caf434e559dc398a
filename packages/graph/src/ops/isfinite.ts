import { pointwiseOp } from './pointwise.js'

export const isfinite = pointwiseOp(
  'isfinite',
  1,
  '1 where x is finite, 0 where it is NaN or ±Infinity (not differentiable)',
)
