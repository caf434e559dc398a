import { type Activation, activations } from '@cellgraph/graph'
import fc from 'fast-check'

/**
 * A random cell as plain data: a list of steps over a growing pool of row values. The pool starts
 * with the states (in order) and `x`; every step appends one or two values. Steps name earlier
 * values by index, taken modulo the pool size when the cell is built, so any list of steps is a
 * valid cell: fast-check can drop steps and shrink numbers freely while shrinking a failure.
 */
export interface CellRecipe {
  readonly input: number
  readonly hidden: number
  /** Number of state tensors (1 to 3), each of size `hidden`. */
  readonly states: number
  readonly steps: readonly Step[]
  /** How each state is updated at the end of the step (one entry per state, cycled). */
  readonly updates: readonly StateUpdate[]
}

export type UnaryOpName = 'neg' | 'oneMinus' | 'sigmoid' | 'tanh' | 'relu' | 'exp' | 'log' | 'sqrt' | 'rsqrt'
export type BinaryOpName = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min'
export type ReductionName = 'reduceSum' | 'reduceMean' | 'reduceMax'

export const unaryOpNames: readonly UnaryOpName[] = [
  'neg',
  'oneMinus',
  'sigmoid',
  'tanh',
  'relu',
  'exp',
  'log',
  'sqrt',
  'rsqrt',
]
export const binaryOpNames: readonly BinaryOpName[] = ['add', 'sub', 'mul', 'div', 'max', 'min']
export const reductionNames: readonly ReductionName[] = ['reduceSum', 'reduceMean', 'reduceMax']

/**
 * The second operand of a binary op: another pool value (matched to the first one's size by
 * broadcasting a one-feature value, slicing or zero padding), or a broadcast parameter — a
 * per-unit vector [F], a one-element [1], a scalar [] — or a constant.
 */
export type Operand =
  | { readonly from: 'value'; readonly index: number }
  | { readonly from: 'vector' | 'unit' | 'scalar' }
  | { readonly from: 'constant'; readonly value: number }

/**
 * How an operand that must be positive (log, sqrt, rsqrt, a divisor) is made so by construction
 * when its range is not already positive: sigmoid(v) + margin, exp(v) + margin, or a clamp.
 */
export type PositiveVia = 'sigmoid' | 'exp' | 'clamp'

export type Step =
  | { readonly kind: 'unary'; readonly op: UnaryOpName; readonly a: number; readonly positive: PositiveVia }
  | {
      readonly kind: 'binary'
      readonly op: BinaryOpName
      readonly a: number
      readonly b: Operand
      readonly positive: PositiveVia
    }
  | {
      readonly kind: 'layer'
      /** One value, or several concatenated. */
      readonly a: readonly number[]
      readonly size: number
      readonly activation: Activation
      readonly biases: 0 | 1 | 2
    }
  | { readonly kind: 'matmul'; readonly a: number; readonly size: number; readonly transposeB: boolean }
  | { readonly kind: 'concat'; readonly a: readonly number[] }
  /** Splits a value in two at `at` (taken modulo its size); a one-feature value is zero padded instead. */
  | { readonly kind: 'split'; readonly a: number; readonly at: number }
  | { readonly kind: 'pad'; readonly a: number; readonly before: number; readonly after: number }
  | { readonly kind: 'reduce'; readonly op: ReductionName; readonly a: number }
  | { readonly kind: 'softmax'; readonly a: number }
  /** where(isfinite(cond) · greater(cond, threshold), a, b). */
  | {
      readonly kind: 'select'
      readonly cond: number
      readonly threshold: number
      readonly a: number
      readonly b: Operand
    }
  | { readonly kind: 'clamp'; readonly a: number; readonly lo: number; readonly width: number }

/**
 * How a state is updated from the value `from` (an index into the pool) and the old state:
 * `layer`: activation(W·[s, v] + b...); `blend`: g·s + (1−g)·v with a sigmoid gate g = σ(W·[s, v]).
 */
export type StateUpdate =
  | {
      readonly kind: 'layer'
      readonly from: number
      readonly activation: Activation
      readonly biases: 0 | 1 | 2
    }
  | { readonly kind: 'blend'; readonly from: number }

export interface RecipeOptions {
  /** The most steps (ops over the pool) a cell has; default 8. */
  readonly maxOps?: number
  /**
   * Unary, binary or reduction ops to leave out, for a property that must skip an op with a
   * known defect (say which, and why, where you use it).
   */
  readonly exclude?: readonly (UnaryOpName | BinaryOpName | ReductionName)[]
  readonly maxStates?: number
}

const index = fc.nat({ max: 40 })
const biases = fc.constantFrom<0 | 1 | 2>(1, 0, 2)
const activation = fc.constantFrom<Activation>(...activations)
const positive = fc.constantFrom<PositiveVia>('sigmoid', 'exp', 'clamp')
/** Thresholds and constants avoid 0, ±1 and the clamp limits, where saturated values tie exactly. */
const smallConstant = fc.constantFrom(0.5, -0.25, 2, 0.75, -1.5)
const threshold = fc.constantFrom(0.3, -0.45, 0.15, 1.7, -2.3)

const operand: fc.Arbitrary<Operand> = fc.oneof(
  fc.record({ from: fc.constant('value' as const), index }),
  fc.record({ from: fc.constantFrom('vector' as const, 'unit' as const, 'scalar' as const) }),
  fc.record({ from: fc.constant('constant' as const), value: smallConstant }),
)

/** Random steps; `exclude` removes unary, binary and reduction ops by name. */
const stepArb = (exclude: ReadonlySet<string>): fc.Arbitrary<Step> => {
  const keep = <T extends string>(names: readonly T[]) => names.filter((n) => !exclude.has(n))
  return fc.oneof(
    fc.record({
      kind: fc.constant('unary' as const),
      op: fc.constantFrom(...keep(unaryOpNames)),
      a: index,
      positive,
    }),
    fc.record({
      kind: fc.constant('binary' as const),
      op: fc.constantFrom(...keep(binaryOpNames)),
      a: index,
      b: operand,
      positive,
    }),
    fc.record({
      kind: fc.constant('layer' as const),
      a: fc.array(index, { minLength: 1, maxLength: 3 }),
      size: fc.integer({ min: 1, max: 5 }),
      activation,
      biases,
    }),
    fc.record({
      kind: fc.constant('matmul' as const),
      a: index,
      size: fc.integer({ min: 1, max: 5 }),
      transposeB: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('concat' as const), a: fc.array(index, { minLength: 2, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('split' as const), a: index, at: fc.nat({ max: 4 }) }),
    fc.record({
      kind: fc.constant('pad' as const),
      a: index,
      before: fc.nat({ max: 2 }),
      after: fc.nat({ max: 2 }),
    }),
    fc.record({
      kind: fc.constant('reduce' as const),
      op: fc.constantFrom(...keep(reductionNames)),
      a: index,
    }),
    fc.record({ kind: fc.constant('softmax' as const), a: index }),
    fc.record({ kind: fc.constant('select' as const), cond: index, threshold, a: index, b: operand }),
    fc.record({
      kind: fc.constant('clamp' as const),
      a: index,
      lo: fc.constantFrom(-0.8, -2.5, 0.2),
      width: fc.constantFrom(1.3, 3.1),
    }),
  )
}

const stateUpdate: fc.Arbitrary<StateUpdate> = fc.oneof(
  fc.record({ kind: fc.constant('layer' as const), from: index, activation, biases }),
  fc.record({ kind: fc.constant('blend' as const), from: index }),
)

/** Random cell recipes: input 1–4, hidden 1–5, 1–3 states, up to `maxOps` (default 8) steps. */
export function cellRecipeArb(options: RecipeOptions = {}): fc.Arbitrary<CellRecipe> {
  const maxStates = options.maxStates ?? 3
  return fc.record({
    input: fc.integer({ min: 1, max: 4 }),
    hidden: fc.integer({ min: 1, max: 5 }),
    states: fc.integer({ min: 1, max: maxStates }),
    steps: fc.array(stepArb(new Set(options.exclude)), { minLength: 0, maxLength: options.maxOps ?? 8 }),
    updates: fc.array(stateUpdate, { minLength: 1, maxLength: maxStates }),
  })
}
