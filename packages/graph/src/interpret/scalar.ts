/**
 * Float64 scalar definitions of the pointwise ops, written for clarity. The reference interpreter
 * alone uses them; compiled backends have their own kernels and are tested against these.
 */
export const stableSigmoid = (x: number): number =>
  x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))

export const unaryScalar = {
  neg: (x: number) => -x,
  oneMinus: (x: number) => 1 - x,
  sigmoid: stableSigmoid,
  tanh: Math.tanh,
  relu: (x: number) => (x > 0 ? x : 0),
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x: number) => 1 / Math.sqrt(x),
  isfinite: (x: number) => (Number.isFinite(x) ? 1 : 0),
} as const

export const binaryScalar = {
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  div: (a: number, b: number) => a / b,
  max: (a: number, b: number) => (a >= b ? a : b),
  min: (a: number, b: number) => (a <= b ? a : b),
  greater: (a: number, b: number) => (a > b ? 1 : 0),
} as const

export const activationScalar = {
  identity: (x: number) => x,
  sigmoid: stableSigmoid,
  tanh: Math.tanh,
  relu: unaryScalar.relu,
} as const
