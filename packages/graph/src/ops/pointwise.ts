import type { ValueType } from '../types.js'
import type { OpName } from './attrs.js'
import { broadcastTypes } from './broadcast.js'
import type { OpDef } from './def.js'

/** The pointwise ops: one output element from the same element of each (broadcast) input. */
export type PointwiseOpName = PrimitivePointwiseOpName | CompositeOpName

/**
 * Pointwise ops defined as a composition of the primitives (their `composition`): backends
 * expand them, so a new one is its definition and its VJP rule, nothing else.
 */
export type CompositeOpName = 'clamp'

/** The pointwise ops every backend renders itself: one expression entry each per target. */
export type PrimitivePointwiseOpName = AttrlessPointwise

/** The pointwise ops of one operand and of two (broadcast); `where` takes three. */
export type UnaryPointwiseOpName =
  | 'neg'
  | 'oneMinus'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'rsqrt'
  | 'isfinite'
export type BinaryPointwiseOpName = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'greater'

type AttrlessPointwise = UnaryPointwiseOpName | BinaryPointwiseOpName | 'where'

/** Builds the definition of an attribute-free pointwise op: it broadcasts its inputs. */
export const pointwiseOp = <K extends AttrlessPointwise & OpName>(
  name: K,
  arity: number,
  summary: string,
): OpDef<K> =>
  ({
    name,
    kind: 'pointwise',
    arity: [arity, arity],
    attrs: {},
    summary,
    infer: (inputs: readonly ValueType[]) => [broadcastTypes(inputs)],
  }) as unknown as OpDef<K>
