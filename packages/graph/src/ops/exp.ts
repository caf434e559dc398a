import { pointwiseOp } from './pointwise.js'

export const exp = pointwiseOp('exp', 1, 'e^x')
