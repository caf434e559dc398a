import type {
  Graph,
  GraphTypes,
  Node,
  OpName,
  PointwiseOpName,
  PrimitivePointwiseOpName,
  Ref,
  ValueType,
} from '@cellgraph/graph'
import type { Pack } from '../passes/program.js'

/**
 * How element (r, j) of a fused kernel's [rows, features] iteration space reads an operand: at
 * element `offset + r·row + j·col` of the operand's memory. Every broadcast and feature slice of
 * the IR is one of these: the same element (row = features, col = 1), a value per feature
 * (row = 0), a value per row (row = 1, col = 0), a scalar (0, 0), a slice [start, end) of rows
 * `width` wide (offset = start, row = width).
 */
export interface Access {
  readonly offset: number
  readonly row: number
  readonly col: 0 | 1
}

/** A value outside a fused kernel that it reads from memory. */
export interface Operand {
  readonly ref: Ref
  readonly access: Access
}

/** An argument of an expression: operand k, the value of instruction k, or a literal. */
export type Arg =
  | { readonly kind: 'operand'; readonly index: number }
  | { readonly kind: 'local'; readonly index: number }
  | { readonly kind: 'constant'; readonly value: number }

/**
 * One primitive pointwise op of a fused kernel. `node` is the member it computes (or helps
 * compute: a composite op such as clamp is several instructions).
 */
export interface Instruction {
  readonly op: PrimitivePointwiseOpName
  readonly args: readonly Arg[]
  readonly node: Node
}

/**
 * Elementwise nodes fused into one pass over memory: the expression IR every renderer walks
 * (`renderExpression`). Broadcasts and slices are not instructions: they are operand accesses,
 * or the value they forward.
 */
export interface FusedStep {
  readonly kind: 'fused'
  /** The iteration space (the type of every member). */
  readonly type: ValueType
  readonly members: readonly Node[]
  readonly operands: readonly Operand[]
  readonly body: readonly Instruction[]
  /** Members read outside the kernel, and the value each stores. */
  readonly stores: readonly { readonly id: string; readonly value: Arg }[]
}

/** The ops that run as calls: not leaves, not fused (pointwise ops, broadcasts, slices), not scans. */
export type CallOp = Exclude<
  OpName,
  PointwiseOpName | 'input' | 'state' | 'param' | 'constant' | 'broadcastLike' | 'slice' | 'scan'
>

/** A node that runs as its own kernel: products, row reductions, copies, losses. */
export interface CallStep {
  readonly kind: 'call'
  readonly node: Node
}

/**
 * A scan: its body's steps run once per time step. Body input k < carries reads carry k; the
 * next `sequences` read step t of their sequence (an offset of t·batch rows); the rest are loop
 * invariants.
 */
export interface LoopStep {
  readonly kind: 'loop'
  readonly node: Node<'scan'>
  readonly body: LevelPlan
}

export type Step = FusedStep | CallStep | LoopStep

/** The kernels of one graph level (the top graph or a scan body), in execution order. */
export interface LevelPlan {
  readonly graph: Graph
  readonly types: GraphTypes
  readonly steps: readonly Step[]
}

/**
 * A program after the passes and fusion, for every batch size and sequence length: what every
 * renderer (cpu-js, cpu-wasm, WebGPU) turns into code. Produced once by `planProgram`.
 */
export interface KernelPlan {
  readonly packs: readonly Pack[]
  readonly root: LevelPlan
}
