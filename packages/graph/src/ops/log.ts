import { pointwiseOp } from './pointwise.js'

export const log = pointwiseOp('log', 1, 'natural logarithm')
