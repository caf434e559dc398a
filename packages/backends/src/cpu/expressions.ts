import type { PrimitivePointwiseOpName } from '@cellgraph/graph'
import type { Access } from '../plan/kernelPlan.js'

/**
 * JavaScript expression templates, one per pointwise op: operands are locals, literals or array
 * reads, so repeating one is safe. `H` is the helper object the generated code receives.
 */
export const jsExpressions: {
  readonly [K in PrimitivePointwiseOpName]: (args: readonly string[]) => string
} = {
  neg: ([a]) => `-${a}`,
  oneMinus: ([a]) => `1 - ${a}`,
  sigmoid: ([a]) => `H.sigmoid(${a})`,
  tanh: ([a]) => `Math.tanh(${a})`,
  relu: ([a]) => `(${a} > 0 ? ${a} : 0)`,
  exp: ([a]) => `Math.exp(${a})`,
  log: ([a]) => `Math.log(${a})`,
  sqrt: ([a]) => `Math.sqrt(${a})`,
  rsqrt: ([a]) => `1 / Math.sqrt(${a})`,
  add: ([a, b]) => `${a} + ${b}`,
  sub: ([a, b]) => `${a} - ${b}`,
  mul: ([a, b]) => `${a} * ${b}`,
  div: ([a, b]) => `${a} / ${b}`,
  max: ([a, b]) => `(${a} >= ${b} ? ${a} : ${b})`,
  min: ([a, b]) => `(${a} <= ${b} ? ${a} : ${b})`,
  greater: ([a, b]) => `(${a} > ${b} ? 1 : 0)`,
  isfinite: ([a]) => `(Number.isFinite(${a}) ? 1 : 0)`,
  where: ([c, a, b]) => `(${c} !== 0 ? ${a} : ${b})`,
}

/**
 * An operand's element index in a generated element loop (r: row, j: feature, i: flat index of
 * a loop over `features` per row): `i`, `j`, `r`, `0` or `r * 12 + 3 + j`.
 */
export function jsIndex({ offset, row, col }: Access, features: number): string {
  if (offset === 0 && col === 1 && row === features) return 'i'
  if (offset === 0 && row === 0) return col === 1 ? 'j' : '0'
  if (offset === 0 && row === 1 && col === 0) return 'r'
  return `r * ${row} + ${offset}${col === 1 ? ' + j' : ''}`
}
