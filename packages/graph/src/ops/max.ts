import { pointwiseOp } from './pointwise.js'

export const max = pointwiseOp('max', 2, 'max(a, b)')
