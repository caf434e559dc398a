import { pointwiseOp } from './pointwise.js'

export const sqrt = pointwiseOp('sqrt', 1, 'square root')
