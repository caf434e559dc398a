import type { Activation } from '@cellgraph/graph'
import { activationExpression } from './wgsl.js'

/** C[M,N] = op(A)·op(B) (+ biases over N, then an activation), all operands in the arena. */
export interface MatmulSpec {
  readonly m: number
  readonly n: number
  readonly k: number
  /** A is stored [K,M] instead of [M,K] (outer sums: Σ_rows aᵀ·b). */
  readonly transposeA: boolean
  /** B is stored [N,K] instead of [K,N] (layer weights [out,in]). */
  readonly transposeB: boolean
  readonly a: number
  readonly b: number
  readonly c: number
  readonly biases: readonly number[]
  readonly activation: Activation
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
  return [x, y, 1]
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
