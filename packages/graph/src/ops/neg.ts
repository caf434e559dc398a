import { pointwiseOp } from './pointwise.js'

export const neg = pointwiseOp('neg', 1, '-x')
