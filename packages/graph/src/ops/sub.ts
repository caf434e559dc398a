import { pointwiseOp } from './pointwise.js'

export const sub = pointwiseOp('sub', 2, 'a - b')
