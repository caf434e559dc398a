import { pointwiseOp } from './pointwise.js'

export const rsqrt = pointwiseOp('rsqrt', 1, '1 / sqrt(x)')
