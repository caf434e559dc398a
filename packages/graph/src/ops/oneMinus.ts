import { pointwiseOp } from './pointwise.js'

export const oneMinus = pointwiseOp('oneMinus', 1, '1 - x')
