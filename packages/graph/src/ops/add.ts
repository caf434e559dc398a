import { pointwiseOp } from './pointwise.js'

export const add = pointwiseOp('add', 2, 'a + b')
