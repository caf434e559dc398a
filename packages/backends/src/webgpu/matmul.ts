import type { Activation } from '@cellgraph/graph'
import { type KernelCall, kernelHeader, ParamList, perIndexKernel } from './kernel.js'
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

// A 32×32 tile of C per workgroup of 8×8 threads, each thread a 4×4 block; K in steps of 8 through
// workgroup memory. Few barriers per tile: they are slow on software drivers.
const tile = 32
const tileK = 8
const threads = 8
const perThread = tile / threads

/**
 * Products with few outputs (the recurrent product of a small batch inside a time loop) fill
 * almost none of a tile: one thread per output element, no workgroup memory and no barriers.
 */
const smallOutputs = 4096

export function matmulKernel(spec: MatmulSpec): KernelCall {
  return spec.m * spec.n <= smallOutputs ? dotKernel(spec) : tiledKernel(spec)
}

const operandIndex = (spec: MatmulSpec, M: string, N: string, K: string, A: string, B: string) => ({
  aAt: (m: string, k: string) =>
    spec.transposeA ? `${A} + ${k} * ${M} + ${m}` : `${A} + ${m} * ${K} + ${k}`,
  bAt: (k: string, n: string) =>
    spec.transposeB ? `${B} + ${n} * ${K} + ${k}` : `${B} + ${k} * ${N} + ${n}`,
})

function dotKernel(spec: MatmulSpec): KernelCall {
  return perIndexKernel(spec.m * spec.n, (p) => {
    const [M, N, K, A, B, C] = [spec.m, spec.n, spec.k, spec.a, spec.b, spec.c].map((v) => p.add(v))
    const biasSum = spec.biases.map((o) => ` + arena[${p.add(o)} + n]`).join('')
    const { aAt, bAt } = operandIndex(spec, M!, N!, K!, A!, B!)
    return `  let m = i / ${N};
  let n = i % ${N};
  var acc = 0.0;
  for (var k = 0u; k < ${K}; k++) { acc += arena[${aAt('m', 'k')}] * arena[${bAt('k', 'n')}]; }
  let v = acc${biasSum};
  arena[${C} + i] = ${activationExpression(spec.activation, 'v')};`
  })
}

function tiledKernel(spec: MatmulSpec): KernelCall {
  const p = new ParamList()
  const [M, N, K, A, B, C] = [spec.m, spec.n, spec.k, spec.a, spec.b, spec.c].map((v) => p.add(v))
  const biases = spec.biases.map((o) => p.add(o))
  const aAt = (m: string, k: string) =>
    spec.transposeA ? `${A} + ${k} * ${M} + ${m}` : `${A} + ${m} * ${K} + ${k}`
  const bAt = (k: string, n: string) =>
    spec.transposeB ? `${B} + ${n} * ${K} + ${k}` : `${B} + ${k} * ${N} + ${n}`
  const biasSum = biases.map((o) => ` + arena[${o} + n]`).join('')
  const loads = (tileK * tile) / (threads * threads)
  const wgsl = `
${kernelHeader}
var<workgroup> tileA: array<f32, ${tileK * tile}>;
var<workgroup> tileB: array<f32, ${tileK * tile}>;
@compute @workgroup_size(${threads}, ${threads})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = wg.y * ${tile}u;
  let col0 = wg.x * ${tile}u;
  let tid = lid.y * ${threads}u + lid.x;
  var acc: array<f32, ${perThread * perThread}>;
  for (var k0 = 0u; k0 < ${K}; k0 += ${tileK}u) {
    for (var q = 0u; q < ${loads}u; q++) {
      let e = tid + q * ${threads * threads}u;
      let kk = e / ${tile}u;
      let mm = e % ${tile}u;
      let m = row0 + mm;
      let n = col0 + mm;
      let k = k0 + kk;
      var va = 0.0;
      if (m < ${M} && k < ${K}) { va = arena[${aAt('m', 'k')}]; }
      tileA[e] = va;
      var vb = 0.0;
      if (n < ${N} && k < ${K}) { vb = arena[${bAt('k', 'n')}]; }
      tileB[e] = vb;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${tileK}u; kk++) {
      var a: array<f32, ${perThread}>;
      var b: array<f32, ${perThread}>;
      for (var t = 0u; t < ${perThread}u; t++) {
        a[t] = tileA[kk * ${tile}u + lid.y * ${perThread}u + t];
        b[t] = tileB[kk * ${tile}u + lid.x * ${perThread}u + t];
      }
      for (var r = 0u; r < ${perThread}u; r++) {
        for (var c = 0u; c < ${perThread}u; c++) {
          acc[r * ${perThread}u + c] += a[r] * b[c];
        }
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < ${perThread}u; r++) {
    for (var c = 0u; c < ${perThread}u; c++) {
      let m = row0 + lid.y * ${perThread}u + r;
      let n = col0 + lid.x * ${perThread}u + c;
      if (m < ${M} && n < ${N}) {
        let v = acc[r * ${perThread}u + c]${biasSum};
        arena[${C} + m * ${N} + n] = ${activationExpression(spec.activation, 'v')};
      }
    }
  }
}`
  const groups: [number, number, number] = [Math.ceil(spec.n / tile), Math.ceil(spec.m / tile), 1]
  if (groups[0] > 65535 || groups[1] > 65535)
    throw new Error(`a ${spec.m}×${spec.n} matrix product exceeds the dispatch grid limit`)
  return { wgsl, workgroups: groups, params: p.words }
}
