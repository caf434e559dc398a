import { pointwiseOp } from './pointwise.js'

export const min = pointwiseOp('min', 2, 'min(a, b)')
