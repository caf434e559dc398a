import type { OpDef } from './def.js'
import { fail } from './def.js'

export const constant: OpDef<'constant'> = {
  name: 'constant',
  kind: 'leaf',
  arity: [0, 0],
  attrs: { value: 'number' },
  summary: 'a scalar constant; broadcasts against anything',
  infer: (_, { value }) =>
    Number.isFinite(value) ? [{ layout: 'tensor', shape: [] }] : fail(`constant ${value} is not finite`),
}
