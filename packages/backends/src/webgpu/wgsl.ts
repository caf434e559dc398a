import type { Activation, PrimitivePointwiseOpName } from '@cellgraph/graph'

/**
 * WGSL expression templates, one per pointwise op: fusing a chain of pointwise ops into one
 * kernel is composing these strings. Transcendentals go through helpers that never form exp of a
 * large positive number, so saturated inputs (|x| ~ 50 and beyond) give ±1 or 0, never NaN.
 */
export const wgslHelpers = /* wgsl */ `
fn cg_sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}
fn cg_tanh(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.125) {
    // Taylor series: 1 - e^{-2a} would cancel here.
    let a2 = a * a;
    return x * (1.0 - a2 * (1.0 / 3.0 - a2 * (2.0 / 15.0 - a2 * (17.0 / 315.0))));
  }
  let e = exp(-2.0 * a);
  return sign(x) * (1.0 - e) / (1.0 + e);
}
// WGSL leaves log, sqrt and inverseSqrt of out-of-domain inputs indeterminate (SwiftShader gives
// finite garbage): these return the IEEE results, so a bad value surfaces as NaN or ±Inf on read.
// The bit patterns go through a var: a constant NaN or Inf is a shader-creation error.
fn cg_bits(b: u32) -> f32 { var v = b; return bitcast<f32>(v); }
fn cg_nan() -> f32 { return cg_bits(0x7fc00000u); }
fn cg_log(x: f32) -> f32 {
  if (x > 0.0) { return log(x); }
  return select(cg_nan(), cg_bits(0xff800000u), x == 0.0);
}
fn cg_sqrt(x: f32) -> f32 { return select(cg_nan(), sqrt(x), x >= 0.0); }
fn cg_rsqrt(x: f32) -> f32 {
  if (x > 0.0) { return inverseSqrt(x); }
  return select(cg_nan(), cg_bits(0x7f800000u), x == 0.0);
}
// A test on the exponent bits: WGSL lets implementations assume no NaN or Inf, so comparisons
// with them (x == x, abs(x) < inf) may be folded away; the bits of the value may not.
fn cg_isfinite(x: f32) -> f32 { return select(0.0, 1.0, (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u); }
fn cg_max(a: f32, b: f32) -> f32 { return select(b, a, a >= b); }
fn cg_min(a: f32, b: f32) -> f32 { return select(b, a, a <= b); }
`

const f32 = (v: number): string => {
  const s = Math.fround(v).toPrecision(9)
  return `f32(${s.includes('e') || s.includes('.') ? s : `${s}.0`})`
}

export const literal = f32

export const pointwiseTemplates: {
  readonly [K in PrimitivePointwiseOpName]: (args: readonly string[]) => string
} = {
  neg: ([x]) => `(-${x})`,
  oneMinus: ([x]) => `(1.0 - ${x})`,
  sigmoid: ([x]) => `cg_sigmoid(${x})`,
  tanh: ([x]) => `cg_tanh(${x})`,
  relu: ([x]) => `select(0.0, ${x}, ${x} > 0.0)`,
  exp: ([x]) => `exp(${x})`,
  log: ([x]) => `cg_log(${x})`,
  sqrt: ([x]) => `cg_sqrt(${x})`,
  rsqrt: ([x]) => `cg_rsqrt(${x})`,
  add: ([a, b]) => `(${a} + ${b})`,
  sub: ([a, b]) => `(${a} - ${b})`,
  mul: ([a, b]) => `(${a} * ${b})`,
  div: ([a, b]) => `(${a} / ${b})`,
  max: ([a, b]) => `cg_max(${a}, ${b})`,
  min: ([a, b]) => `cg_min(${a}, ${b})`,
  greater: ([a, b]) => `select(0.0, 1.0, ${a} > ${b})`,
  isfinite: ([x]) => `cg_isfinite(${x})`,
  where: ([c, a, b]) => `select(${b}, ${a}, ${c} != 0.0)`,
}

const activationOps: { readonly [A in Activation]: PrimitivePointwiseOpName | undefined } = {
  identity: undefined,
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
}

/** A layer's activation as an expression over `x`, from the same templates. */
export const activationExpression = (activation: Activation, x: string): string => {
  const op = activationOps[activation]
  return op ? pointwiseTemplates[op]([x]) : x
}
