import { pointwiseOp } from './pointwise.js'

export const sigmoid = pointwiseOp('sigmoid', 1, '1 / (1 + exp(-x))')
