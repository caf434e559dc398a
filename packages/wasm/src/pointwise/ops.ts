import type { FunctionBuilder, Local } from '../emit/functionBuilder.js'
import { emitExp, emitSigmoid, emitTanh } from './transcendental.js'

/** Pointwise ops a fused kernel can contain (the IR's pointwise ops, minus log). */
export type PointwiseOp =
  | 'neg'
  | 'oneMinus'
  | 'abs'
  | 'relu'
  | 'sqrt'
  | 'rsqrt'
  | 'exp'
  | 'sigmoid'
  | 'tanh'
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'max'
  | 'min'
  | 'greater'
  | 'isfinite'
  | 'where'

interface OpRule {
  readonly arity: number
  /** Pushes the f32x4 result; arguments are already in locals. */
  readonly emit: (fn: FunctionBuilder, args: readonly Local[]) => void
}

const binary =
  (instruction: Parameters<FunctionBuilder['simd']>[0]): OpRule['emit'] =>
  (fn, [a, b]) =>
    fn.get(a!).get(b!).simd(instruction)

/** op name -> SIMD instruction sequence. */
export const pointwiseOps: { readonly [K in PointwiseOp]: OpRule } = {
  neg: { arity: 1, emit: (fn, [a]) => fn.get(a!).simd('f32x4Neg') },
  oneMinus: { arity: 1, emit: (fn, [a]) => fn.f32x4(1).get(a!).simd('f32x4Sub') },
  abs: { arity: 1, emit: (fn, [a]) => fn.get(a!).simd('f32x4Abs') },
  // pmax(a, 0) = a < 0 ? 0 : a, one instruction, and a NaN is not hidden by relu
  relu: { arity: 1, emit: (fn, [a]) => fn.get(a!).f32x4(0).simd('f32x4Pmax') },
  sqrt: { arity: 1, emit: (fn, [a]) => fn.get(a!).simd('f32x4Sqrt') },
  rsqrt: { arity: 1, emit: (fn, [a]) => fn.f32x4(1).get(a!).simd('f32x4Sqrt').simd('f32x4Div') },
  exp: { arity: 1, emit: (fn, [a]) => emitExp(fn, a!) },
  sigmoid: { arity: 1, emit: (fn, [a]) => emitSigmoid(fn, a!) },
  tanh: { arity: 1, emit: (fn, [a]) => emitTanh(fn, a!) },
  add: { arity: 2, emit: binary('f32x4Add') },
  sub: { arity: 2, emit: binary('f32x4Sub') },
  mul: { arity: 2, emit: binary('f32x4Mul') },
  div: { arity: 2, emit: binary('f32x4Div') },
  max: { arity: 2, emit: binary('f32x4Max') },
  min: { arity: 2, emit: binary('f32x4Min') },
  // lanes where a > b are all ones: and-ing with 1.0 gives exactly 1 or 0
  greater: { arity: 2, emit: (fn, [a, b]) => fn.get(a!).get(b!).simd('f32x4Gt').f32x4(1).simd('and') },
  // |a| < Infinity is false for NaN and ±Infinity (WebAssembly compares exactly as IEEE 754)
  isfinite: {
    arity: 1,
    emit: (fn, [a]) => fn.get(a!).simd('f32x4Abs').f32x4(Infinity).simd('f32x4Lt').f32x4(1).simd('and'),
  },
  // where(cond, a, b): a where cond != 0
  where: {
    arity: 3,
    emit: (fn, [cond, a, b]) => fn.get(a!).get(b!).get(cond!).f32x4(0).simd('f32x4Ne').simd('bitselect'),
  },
}
