import type { PrimitivePointwiseOpName } from '@cellgraph/graph'
import { apply, constant, type Expr, input, rowInput } from '@cellgraph/wasm'
import { renderExpression } from '../plan/expression.js'
import type { FusedStep } from '../plan/kernelPlan.js'

/** The IR's pointwise ops as WebAssembly SIMD expressions; undefined where there is none (log). */
const wasmOps: {
  readonly [K in PrimitivePointwiseOpName]: ((args: readonly Expr[]) => Expr) | undefined
} = {
  neg: ([a]) => apply('neg', a!),
  oneMinus: ([a]) => apply('oneMinus', a!),
  sigmoid: ([a]) => apply('sigmoid', a!),
  tanh: ([a]) => apply('tanh', a!),
  relu: ([a]) => apply('relu', a!),
  exp: ([a]) => apply('exp', a!),
  log: undefined,
  sqrt: ([a]) => apply('sqrt', a!),
  rsqrt: ([a]) => apply('rsqrt', a!),
  add: ([a, b]) => apply('add', a!, b!),
  sub: ([a, b]) => apply('sub', a!, b!),
  mul: ([a, b]) => apply('mul', a!, b!),
  div: ([a, b]) => apply('div', a!, b!),
  max: ([a, b]) => apply('max', a!, b!),
  min: ([a, b]) => apply('min', a!, b!),
  greater: ([a, b]) => apply('greater', a!, b!),
  isfinite: ([a]) => apply('isfinite', a!),
  where: ([c, a, b]) => apply('where', c!, a!, b!),
}

/**
 * A fused kernel as WebAssembly SIMD expressions, one per stored member, over the plan's
 * operands in order (operand k is the kernel's input k: a row read where its access moves along
 * the row, else one value per row); undefined when an op has no SIMD form (log): those kernels
 * stay JavaScript loops.
 */
export function wasmExpressions(step: FusedStep): readonly Expr[] | undefined {
  const stores = renderExpression<Expr>(step, {
    operand: (k, access) => (access.col === 1 ? input(k) : rowInput(k)),
    constant,
    apply: (op, args) => wasmOps[op]?.(args),
    bind: (_, v) => v,
  })
  return stores?.map((s) => s.value)
}
