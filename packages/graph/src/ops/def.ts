import type { Graph } from '../ir.js'
import type { ValueType } from '../types.js'
import type { OpAttrs, OpName } from './attrs.js'
import type { PrimitivePointwiseOpName } from './pointwise.js'

/** A pointwise composition: input k of the op, a literal, or a primitive pointwise op over terms. */
export type Term =
  | { readonly input: number }
  | { readonly constant: number }
  | { readonly op: PrimitivePointwiseOpName; readonly args: readonly Term[] }

/** How an op behaves, for passes that treat families of ops alike (e.g. fusing pointwise chains). */
export type OpKind = 'leaf' | 'pointwise' | 'contraction' | 'structural' | 'reduction' | 'loss' | 'control'

/** The JSON type of an attribute, used to validate cell JSON with errors that name the field. */
export type AttrKind =
  | 'number'
  | 'integer'
  | 'string'
  | 'boolean'
  | 'valueType'
  | 'shape'
  | 'activation'
  | 'graph'

/** What a scan body looks like from outside: the types it binds and produces. */
export interface BodySignature {
  readonly inputs: readonly ValueType[]
  readonly outputs: readonly ValueType[]
}

export interface InferContext {
  /** Verifies a nested graph (a scan body) and returns its signature. */
  readonly verifyBody: (body: Graph) => BodySignature
}

/** One op: its name, attribute schema and shape rule. Autodiff and backends attach rules by name. */
export interface OpDef<K extends OpName = OpName> {
  readonly name: K
  readonly kind: OpKind
  /** Minimum and maximum number of inputs. */
  readonly arity: readonly [number, number]
  readonly attrs: { readonly [F in keyof OpAttrs[K]]-?: AttrKind }
  readonly summary: string
  /** Output types from input types. Throws `ShapeRuleError` with a message naming both shapes. */
  readonly infer: (inputs: readonly ValueType[], attrs: OpAttrs[K], ctx: InferContext) => ValueType[]
  /** A composite pointwise op: the same function written with primitive pointwise ops. */
  readonly composition?: (attrs: OpAttrs[K]) => Term
}

/** Thrown by shape rules; the verifier adds the node id and op to the message. */
export class ShapeRuleError extends Error {}

export const fail = (message: string): never => {
  throw new ShapeRuleError(message)
}
