import { pointwiseOp } from './pointwise.js'

export const relu = pointwiseOp('relu', 1, 'max(x, 0)')
