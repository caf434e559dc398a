import type { GraphBuilder, Node, OpAttrs, OpName, Value, ValueType } from '@cellgraph/graph'

/** A cotangent computed on demand, so cotangents nobody needs emit no nodes. */
export type Lazy = () => Value

/** One entry per input of the node: a cotangent, or undefined where it is zero or undefined. */
export type InputCotangents = readonly (Lazy | undefined)[]

/** The forward values a rule reads: indices of the node's inputs and outputs. */
export interface Saves {
  readonly inputs?: readonly number[]
  readonly outputs?: readonly number[]
}

export interface VjpContext<K extends OpName> {
  readonly node: Node<K>
  readonly attrs: OpAttrs[K]
  /** Where the backward nodes go. */
  readonly builder: GraphBuilder
  /** Static types of the node's inputs and outputs (free: no values are saved to know them). */
  readonly inputTypes: readonly ValueType[]
  readonly outputTypes: readonly ValueType[]
  /** Cotangents of the node's outputs; undefined where zero. */
  readonly cotangents: readonly (Value | undefined)[]
  /** The cotangent of output 0; the sweep calls single-output rules only when it exists. */
  readonly g: Value
  /** Forward input i; only inputs declared in `saves` may be read. */
  input(i: number): Value
  /** Forward output k; only outputs declared in `saves` may be read. */
  output(k: number): Value
  /**
   * A value of input i's type whose values are never read: the `like` operand of sumLike and
   * broadcastLike. It needs no declaration, since only its shape matters.
   */
  like(i: number): Value
  /** Whether input i needs a cotangent at all. */
  needs(i: number): boolean
  /** What the rule's `forward` hook returned for this node, if it has one. */
  readonly stash: unknown
}

export interface ForwardContext<K extends OpName> {
  readonly node: Node<K>
  readonly builder: GraphBuilder
  readonly inputs: readonly Value[]
  readonly inputTypes: readonly ValueType[]
  /** Per input: whether it needs a cotangent. */
  readonly needsInput: readonly boolean[]
  /** Per output: whether a cotangent may reach it. */
  readonly needsOutput: readonly boolean[]
  /** How scans keep what their backward pass reads (see GradOptions.bptt). */
  readonly bptt: BpttMode
}

/**
 * `save`: a scan emits every row value its backward pass reads, per step. `recompute`: it emits only
 * its carries per step, and the backward body recomputes the step's other values from them.
 */
export type BpttMode = 'save' | 'recompute'

/**
 * The vector-Jacobian rule of one op: given the cotangents of its outputs, the cotangents of its
 * inputs, emitted as graph nodes. `saves` declares which forward values the rule reads, so what the
 * backward pass keeps alive is explicit (sigmoid's and tanh's rules read their outputs).
 */
export interface VjpRule<K extends OpName> {
  readonly saves: Saves | ((attrs: OpAttrs[K]) => Saves)
  readonly vjp: (ctx: VjpContext<K>) => InputCotangents
  /**
   * Replaces the node in the forward pass, e.g. so that a scan also emits what its backward pass
   * needs. Returns the node's outputs and a stash handed to `vjp`.
   */
  readonly forward?: (ctx: ForwardContext<K>) => { outputs: Value[]; stash: unknown }
}

/** Memoizes a cotangent shared by several inputs (e.g. a layer's pre-activation gradient). */
export const once = (make: () => Value): Lazy => {
  let v: Value | undefined
  return () => (v ??= make())
}

/** The rule of an op without inputs (leaves and constants): nothing to propagate. */
export const noInputs: VjpRule<'input' | 'state' | 'param' | 'constant'> = {
  saves: {},
  vjp: () => [],
}
