import { pointwiseOp } from './pointwise.js'

export const greater = pointwiseOp('greater', 2, '1 where a > b, else 0 (not differentiable)')
