import { pointwiseOp } from './pointwise.js'

export const tanh = pointwiseOp('tanh', 1, 'hyperbolic tangent')
