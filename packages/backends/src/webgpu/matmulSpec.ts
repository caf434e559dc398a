import type { Activation } from '@cellgraph/graph'
import type { ParamList } from './kernel.js'
import { activationExpression } from './wgsl.js'

/** Where one product's operands and result start in the arena. */
export interface ProductOperands {
  readonly a: number
  readonly b: number
  readonly c: number
}

/** C[M,N] = op(A)·op(B) (+ biases over N, then an activation), all operands in the arena. */
export interface MatmulSpec extends ProductOperands {
  readonly m: number
  readonly n: number
  readonly k: number
  /** A is stored [K,M] instead of [M,K] (outer sums: Σ_rows aᵀ·b). */
  readonly transposeA: boolean
  /** B is stored [N,K] instead of [K,N] (layer weights [out,in]). */
  readonly transposeB: boolean
  readonly biases: readonly number[]
  readonly activation: Activation
  /**
   * Further products of the same shape and layouts, without biases, run by the same dispatch:
   * product z (0 is the spec's own) is the grid's layer z. Independent products (an LSTM's four
   * gate-weight gradients) then fill the GPU together instead of one after another.
   */
  readonly batch?: readonly ProductOperands[]
}

/** Every product a spec computes: its own, then its batch. */
export const productsOf = (spec: MatmulSpec): readonly ProductOperands[] => [spec, ...(spec.batch ?? [])]

/**
 * The WGSL names of this workgroup's operand bases (its product is layer `wg.z` of the grid) and
 * the statements that declare them, at the top of `main`; one product needs no declarations.
 */
export function productBases(spec: MatmulSpec, p: ParamList) {
  const products = productsOf(spec)
  if (products.length > 1 && spec.biases.length > 0)
    throw new Error('a batch of matrix products cannot take biases')
  const pick = (field: keyof ProductOperands) => {
    const words = products.map((o) => p.add(o[field]))
    return words.slice(1).reduce((v, w, z) => `select(${v}, ${w}, wg.z == ${z + 1}u)`, words[0]!)
  }
  const [a, b, c] = [pick('a'), pick('b'), pick('c')]
  if (products.length === 1) return { A: a, B: b, C: c, declare: '' }
  return { A: 'pA', B: 'pB', C: 'pC', declare: `  let pA = ${a};\n  let pB = ${b};\n  let pC = ${c};\n` }
}

/** Arena index expressions of A[m,k] and B[k,n] for the spec's layouts; A and B name base offsets. */
export const operandIndex = (spec: MatmulSpec, A: string, B: string) => ({
  aAt: (m: string, k: string) =>
    spec.transposeA ? `${A} + (${k}) * ${spec.m}u + ${m}` : `${A} + (${m}) * ${spec.k}u + ${k}`,
  bAt: (k: string, n: string) =>
    spec.transposeB ? `${B} + (${n}) * ${spec.k}u + ${k}` : `${B} + (${k}) * ${spec.n}u + ${n}`,
})

/** A grid of workgroups, or a clear error where a product exceeds the per-dimension limit. */
export function productGrid(spec: MatmulSpec, x: number, y: number): [number, number, number] {
  if (x > 65535 || y > 65535)
    throw new Error(
      `a ${spec.m}×${spec.n} matrix product exceeds the dispatch grid limit (${x}×${y} workgroups)`,
    )
  const z = productsOf(spec).length
  if (z > 65535) throw new Error(`a batch of ${z} matrix products exceeds the dispatch grid limit`)
  return [x, y, z]
}

/** How a kernel reads and writes single floats of the arena: as `array<f32>` or through its vec4 view. */
export interface ArenaAccess {
  readonly read: (index: string) => string
  readonly write: (index: string, value: string) => string
}
export const scalarArena: ArenaAccess = {
  read: (i) => `arena[${i}]`,
  write: (i, v) => `arena[${i}] = ${v};`,
}
export const vec4Arena: ArenaAccess = {
  read: (i) => `cg_load(${i})`,
  write: (i, v) => `cg_store(${i}, ${v});`,
}
/** Single floats through the vec4 view (a store writes one component: a scalar store, no race). */
export const vec4Helpers = `
fn cg_load(i: u32) -> f32 { return arena[i >> 2u][i & 3u]; }
fn cg_store(i: u32, v: f32) { arena[i >> 2u][i & 3u] = v; }
`

/**
 * WGSL that finishes output C[m,n] from its sum `v`: biases over n, the activation, the store.
 * `biases` are the WGSL expressions of the bias offsets.
 */
export const storeOutput = (
  spec: MatmulSpec,
  C: string,
  biases: readonly string[],
  m: string,
  n: string,
  v: string,
  mem: ArenaAccess = scalarArena,
): string => {
  const biased = `${v}${biases.map((o) => ` + ${mem.read(`${o} + ${n}`)}`).join('')}`
  return `{ let out = ${biased}; ${mem.write(`${C} + (${m}) * ${spec.n}u + ${n}`, activationExpression(spec.activation, 'out'))} }`
}
