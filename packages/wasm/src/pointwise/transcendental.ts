import type { FunctionBuilder, Local } from '../emit/functionBuilder.js'

/**
 * SIMD float32 transcendentals, each a straight-line instruction sequence that leaves its f32x4
 * result on the stack. The polynomial is Cephes' single-precision minimax fit of e^r; the limits
 * (overflow to +Inf for exp, exact 0/±1 saturation for sigmoid and tanh) come from clamping the
 * argument, never from a NaN-producing Inf − Inf or Inf / Inf.
 */

/** Below this exp(x) is subnormal in float32: the result is flushed to 0 (error < 1.2e-38). */
export const EXP_FLUSH_BELOW = -87.33654
/** Above ln(FLT_MAX) exp overflows; clamping here keeps 2^n in range and still gives +Inf. */
const EXP_CLAMP_ABOVE = 89
/** tanh clamps 2|x| here: e^88 is finite and E/(E + 2) rounds to exactly 1. */
const TANH_CLAMP_2X = 88
const LOG2E = Math.LOG2E
const ROUNDING_MAGIC = 12582912 // 1.5 * 2^23
const ROUNDING_MAGIC_BITS = 0x4b400000
const LN2_HI = 0.693359375
const LN2_LO = -2.1219444e-4
const EXPM1_POLY = [
  1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1,
]

/**
 * For x already clamped: x = n·ln2 + r with |r| ≤ ln2/2; leaves expm1(r) = r + r²·P(r) in `em`
 * and the integer n (i32 lanes) in `n`.
 */
const emitReduced = (fn: FunctionBuilder, x: Local): { em: Local; n: Local } => {
  const shifted = fn.local('v128', 'expShifted')
  const nFloat = fn.local('v128', 'expNf')
  const r = fn.local('v128', 'expR')
  const em = fn.local('v128', 'expM1')
  const n = fn.local('v128', 'expN')
  // n = round(x log2 e): adding 1.5·2^23 rounds to an integer and leaves it in the low mantissa bits
  fn.get(x).f32x4(LOG2E).simd('f32x4Mul').f32x4(ROUNDING_MAGIC).simd('f32x4Add').set(shifted)
  fn.get(shifted).f32x4(ROUNDING_MAGIC).simd('f32x4Sub').set(nFloat)
  fn.get(shifted).i32x4(ROUNDING_MAGIC_BITS).simd('i32x4Sub').set(n)
  // r = x − n·ln2, with ln2 split in two so n·LN2_HI is exact
  fn.get(x).get(nFloat).f32x4(LN2_HI).simd('f32x4Mul').simd('f32x4Sub')
  fn.get(nFloat).f32x4(LN2_LO).simd('f32x4Mul').simd('f32x4Sub').set(r)
  fn.f32x4(EXPM1_POLY[0]!)
  for (const c of EXPM1_POLY.slice(1)) fn.get(r).simd('f32x4Mul').f32x4(c).simd('f32x4Add')
  fn.get(r).simd('f32x4Mul').get(r).simd('f32x4Mul').get(r).simd('f32x4Add').set(em)
  return { em, n }
}

/** Pushes 2^n for integer lanes n in [-126, 127], built in the exponent field. */
const pow2 = (fn: FunctionBuilder, n: () => void) => {
  n()
  fn.i32x4(127).simd('i32x4Add').i32(23).simd('i32x4Shl')
}

/** exp(x) = (1 + expm1(r))·2^n, 2^n as two factors 2^(n>>1)·2^(n − n>>1): each normal for n in [-126, 128]. */
export const emitExp = (fn: FunctionBuilder, x: Local): void => {
  const xc = fn.local('v128', 'expX')
  const half = fn.local('v128', 'expHalfN')
  // pmax/pmin are one instruction each (min/max with NaN rules are six); NaN still passes through
  fn.get(x).f32x4(EXP_FLUSH_BELOW).simd('f32x4Pmax').f32x4(EXP_CLAMP_ABOVE).simd('f32x4Pmin').set(xc)
  const { em, n } = emitReduced(fn, xc)
  fn.get(n).i32(1).simd('i32x4ShrS').set(half)
  fn.get(em).f32x4(1).simd('f32x4Add')
  pow2(fn, () => fn.get(half))
  fn.simd('f32x4Mul')
  pow2(fn, () => fn.get(n).get(half).simd('i32x4Sub'))
  fn.simd('f32x4Mul')
  // flush what would be subnormal (keeps the slow subnormal path out of saturated gates)
  fn.get(x).f32x4(EXP_FLUSH_BELOW).simd('f32x4Lt').simd('andnot')
}

/** sigmoid(x) = 1 / (1 + e^−x): e^−x overflows to +Inf for x < −88.7, giving exactly 0. */
export const emitSigmoid = (fn: FunctionBuilder, x: Local): void => {
  const negX = fn.local('v128', 'sigNegX')
  fn.get(x).simd('f32x4Neg').set(negX)
  fn.f32x4(1)
  fn.f32x4(1)
  emitExp(fn, negX)
  fn.simd('f32x4Add').simd('f32x4Div')
}

/**
 * tanh(x) = E / (E + 2) with E = expm1(2|x|) = 2^n·expm1(r) + (2^n − 1): a sum of non-negative
 * terms, so accurate relative to the result near 0 too; the sign of x is copied on at the end.
 */
export const emitTanh = (fn: FunctionBuilder, x: Local): void => {
  const y = fn.local('v128', 'tanh2Abs')
  const scale = fn.local('v128', 'tanhScale')
  const e = fn.local('v128', 'tanhE')
  fn.get(x)
    .simd('f32x4Abs')
    .get(x)
    .simd('f32x4Abs')
    .simd('f32x4Add')
    .f32x4(TANH_CLAMP_2X)
    .simd('f32x4Pmin')
    .set(y)
  const { em, n } = emitReduced(fn, y)
  pow2(fn, () => fn.get(n))
  fn.set(scale)
  fn.get(scale).get(em).simd('f32x4Mul').get(scale).f32x4(1).simd('f32x4Sub').simd('f32x4Add').set(e)
  fn.get(x)
  fn.get(e).get(e).f32x4(2).simd('f32x4Add').simd('f32x4Div')
  fn.i32x4(-0x80000000).simd('bitselect')
}
