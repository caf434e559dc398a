/**
 * Static value ranges. The generator tracks, for every value it creates, an interval that holds
 * every value it can take at run time (given the input and parameter ranges below). That is how
 * cells stay finite in float32 and keep log, sqrt, rsqrt and div inside their domains by
 * construction, without filtering runs.
 */
export interface Range {
  readonly lo: number
  readonly hi: number
}

/** Inputs and initial states lie in [-INPUT_LIMIT, INPUT_LIMIT]: saturating for every transcendental. */
export const INPUT_LIMIT = 50
/** Parameters lie in [-PARAM_LIMIT, PARAM_LIMIT]. */
export const PARAM_LIMIT = 1
/** No generated value exceeds this magnitude; larger ranges are clamped back into it. */
export const VALUE_LIMIT = 64
/** The largest argument exp sees: exp(50) ≈ 5e21 is finite in float32 (whose limit is e^88). */
export const EXP_LIMIT = INPUT_LIMIT
/** The smallest argument of log, sqrt, rsqrt and of a divisor. */
export const DOMAIN_MARGIN = 0.05

export const range = (lo: number, hi: number): Range => ({ lo, hi })
export const magnitude = (r: Range): number => Math.max(Math.abs(r.lo), Math.abs(r.hi))
export const symmetric = (m: number): Range => range(-m, m)
export const union = (a: Range, b: Range): Range => range(Math.min(a.lo, b.lo), Math.max(a.hi, b.hi))

const monotone = (f: (x: number) => number, r: Range): Range => range(f(r.lo), f(r.hi))
const corners = (a: Range, b: Range, f: (x: number, y: number) => number): Range => {
  const vs = [f(a.lo, b.lo), f(a.lo, b.hi), f(a.hi, b.lo), f(a.hi, b.hi)]
  return range(Math.min(...vs), Math.max(...vs))
}
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))

/** Output range of each unary pointwise op (log, sqrt, rsqrt need a positive input range). */
export const unaryRange = {
  neg: (r: Range) => range(-r.hi, -r.lo),
  oneMinus: (r: Range) => range(1 - r.hi, 1 - r.lo),
  sigmoid: (r: Range) => monotone(sigmoid, r),
  tanh: (r: Range) => monotone(Math.tanh, r),
  relu: (r: Range) => range(Math.max(r.lo, 0), Math.max(r.hi, 0)),
  exp: (r: Range) => monotone(Math.exp, r),
  log: (r: Range) => monotone(Math.log, r),
  sqrt: (r: Range) => monotone(Math.sqrt, r),
  rsqrt: (r: Range) => range(1 / Math.sqrt(r.hi), 1 / Math.sqrt(r.lo)),
} as const

/** Output range of each binary pointwise op (div needs a positive divisor range). */
export const binaryRange = {
  add: (a: Range, b: Range) => range(a.lo + b.lo, a.hi + b.hi),
  sub: (a: Range, b: Range) => range(a.lo - b.hi, a.hi - b.lo),
  mul: (a: Range, b: Range) => corners(a, b, (x, y) => x * y),
  div: (a: Range, b: Range) => corners(a, b, (x, y) => x / y),
  max: (a: Range, b: Range) => range(Math.max(a.lo, b.lo), Math.max(a.hi, b.hi)),
  min: (a: Range, b: Range) => range(Math.min(a.lo, b.lo), Math.min(a.hi, b.hi)),
} as const

/** The range of an affine map over `fanIn` values of range `r` with `biases` bias terms. */
export const affineRange = (r: Range, fanIn: number, biases: number): Range =>
  symmetric(fanIn * PARAM_LIMIT * magnitude(r) + biases * PARAM_LIMIT)

export const activationRange = {
  identity: (r: Range) => r,
  sigmoid: unaryRange.sigmoid,
  tanh: unaryRange.tanh,
  relu: unaryRange.relu,
} as const
