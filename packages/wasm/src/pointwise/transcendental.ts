import type { FunctionBuilder, Local } from '../emit/functionBuilder.js'

/**
 * SIMD float32 transcendentals, each a straight-line instruction sequence that leaves its f32x4
 * result on the stack. Polynomials are Cephes' single-precision minimax fits; the limits
 * (overflow to +Inf for exp, exact 0/±1 saturation for sigmoid and tanh) come from clamping the
 * argument, never from a NaN-producing Inf - Inf or Inf / Inf.
 */

/** Below this exp(x) is subnormal in float32: the result is flushed to 0 (error < 1.2e-38). */
export const EXP_FLUSH_BELOW = -87.33654
/** Above ln(FLT_MAX) exp overflows; clamping here keeps 2^n in range and still gives +Inf. */
const EXP_CLAMP_ABOVE = 89
const LOG2E = Math.LOG2E
const ROUNDING_MAGIC = 12582912 // 1.5 * 2^23
const ROUNDING_MAGIC_BITS = 0x4b400000
const LN2_HI = 0.693359375
const LN2_LO = -2.1219444e-4
const EXP_POLY = [
  1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1,
]
/** tanh(x) = x + x^3 P(x^2) for |x| < TANH_SMALL (no cancellation); 1 - 2/(e^2|x| + 1) above. */
const TANH_SMALL = 0.625
const TANH_POLY = [
  -5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1,
]

/** Horner's rule: pushes ((c0 z + c1) z + ...) z + c_last. */
const horner = (fn: FunctionBuilder, z: Local, coefficients: readonly number[]) => {
  fn.f32x4(coefficients[0]!)
  for (const c of coefficients.slice(1)) fn.get(z).simd('f32x4Mul').f32x4(c).simd('f32x4Add')
}

/** exp(x): x = n ln2 + r with |r| <= ln2/2, e^r by a degree-7 polynomial, times 2^n built in the exponent bits. */
export const emitExp = (fn: FunctionBuilder, x: Local): void => {
  const xc = fn.local('v128', 'expX')
  const n = fn.local('v128', 'expN')
  const r = fn.local('v128', 'expR')
  const ni = fn.local('v128', 'expNi')
  const shifted = fn.local('v128', 'expShifted')
  const half = fn.local('v128', 'expHalf')
  // pmax/pmin are one instruction each (min/max with NaN rules are six); NaN still passes through
  fn.get(x).f32x4(EXP_FLUSH_BELOW).simd('f32x4Pmax').f32x4(EXP_CLAMP_ABOVE).simd('f32x4Pmin').set(xc)
  // n = round(x log2 e): adding 1.5·2^23 rounds to an integer and leaves it in the low mantissa bits
  fn.get(xc).f32x4(LOG2E).simd('f32x4Mul').f32x4(ROUNDING_MAGIC).simd('f32x4Add').set(shifted)
  fn.get(shifted).f32x4(ROUNDING_MAGIC).simd('f32x4Sub').set(n)
  // r = x - n*ln2, with ln2 split in two so n*LN2_HI is exact
  fn.get(xc).get(n).f32x4(LN2_HI).simd('f32x4Mul').simd('f32x4Sub')
  fn.get(n).f32x4(LN2_LO).simd('f32x4Mul').simd('f32x4Sub').set(r)
  // e^r = 1 + r + r^2 P(r)
  horner(fn, r, EXP_POLY)
  fn.get(r).simd('f32x4Mul').get(r).simd('f32x4Mul').get(r).simd('f32x4Add').f32x4(1).simd('f32x4Add')
  // 2^n as two factors 2^(n>>1) * 2^(n - n>>1): each stays a normal float for n in [-126, 128]
  fn.get(shifted).i32x4(ROUNDING_MAGIC_BITS).simd('i32x4Sub').set(ni)
  fn.get(ni).i32(1).simd('i32x4ShrS').set(half)
  fn.get(half).i32x4(127).simd('i32x4Add').i32(23).simd('i32x4Shl').simd('f32x4Mul')
  fn.get(ni).get(half).simd('i32x4Sub').i32x4(127).simd('i32x4Add').i32(23).simd('i32x4Shl').simd('f32x4Mul')
  // flush what would be subnormal (keeps the slow subnormal path out of saturated gates)
  fn.get(x).f32x4(EXP_FLUSH_BELOW).simd('f32x4Lt').simd('andnot')
}

/** sigmoid(x) = 1 / (1 + e^-x): e^-x overflows to +Inf for x < -88.7, giving exactly 0. */
export const emitSigmoid = (fn: FunctionBuilder, x: Local): void => {
  const negX = fn.local('v128', 'sigNegX')
  fn.get(x).simd('f32x4Neg').set(negX)
  fn.f32x4(1)
  fn.f32x4(1)
  emitExp(fn, negX)
  fn.simd('f32x4Add').simd('f32x4Div')
}

/** tanh(x): odd polynomial near 0, 1 - 2/(e^2|x| + 1) elsewhere (exactly 1 once e^2|x| = +Inf), sign of x. */
export const emitTanh = (fn: FunctionBuilder, x: Local): void => {
  const ax = fn.local('v128', 'tanhAbs')
  const z = fn.local('v128', 'tanhZ')
  const twoAx = fn.local('v128', 'tanh2Abs')
  const large = fn.local('v128', 'tanhLarge')
  fn.get(x).simd('f32x4Abs').set(ax)
  fn.get(ax).get(ax).simd('f32x4Add').set(twoAx)
  fn.f32x4(1).f32x4(2)
  emitExp(fn, twoAx)
  fn.f32x4(1).simd('f32x4Add').simd('f32x4Div').simd('f32x4Sub').set(large)
  // small: |x| + |x| z P(z), z = x^2
  fn.get(ax).get(ax).simd('f32x4Mul').set(z)
  horner(fn, z, TANH_POLY)
  fn.get(z).simd('f32x4Mul').get(ax).simd('f32x4Mul').get(ax).simd('f32x4Add')
  fn.get(large)
  fn.get(ax).f32x4(TANH_SMALL).simd('f32x4Lt')
  fn.simd('bitselect').set(large)
  // copy the sign of x onto |tanh x|
  fn.get(x).get(large).i32x4(-0x80000000).simd('bitselect')
}
