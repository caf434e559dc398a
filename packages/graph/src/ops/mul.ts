import { pointwiseOp } from './pointwise.js'

export const mul = pointwiseOp('mul', 2, 'a * b')
