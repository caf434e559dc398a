import { pointwiseOp } from './pointwise.js'

export const div = pointwiseOp('div', 2, 'a / b')
