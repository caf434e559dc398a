import type { ValueType } from '../types.js'
import { formatType } from '../types.js'
import { fail } from './def.js'

/** Leaves take no inputs and produce the type they declare. */
export const declaredType = (
  type: ValueType,
  allowed: readonly ValueType['layout'][],
  what: string,
): ValueType[] => {
  if (!allowed.includes(type.layout)) fail(`a ${what} cannot have type ${formatType(type)}`)
  if (type.layout !== 'tensor' && type.shape.length !== 1)
    fail(`a row value has one feature axis, got ${formatType(type)}`)
  return [type]
}
