import { pointwiseOp } from './pointwise.js'

export const where = pointwiseOp('where', 3, 'a where cond != 0, else b (inputs: cond, a, b)')
