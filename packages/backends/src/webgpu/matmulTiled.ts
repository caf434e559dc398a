import { type KernelCall, kernelHeader, ParamList, vec4KernelHeader } from './kernel.js'
import {
  type MatmulSpec,
  operandIndex,
  productBases,
  productGrid,
  productsOf,
  scalarArena,
  storeOutput,
  vec4Arena,
  vec4Helpers,
} from './matmulSpec.js'

/** Edge of the C tile a workgroup computes, and how many K slices it sums in workgroup memory. */
export interface TiledShape {
  readonly tile: 32 | 64
  readonly splitK: 1 | 2 | 4
}

// Each thread computes a 4×4 block of C, so a tile of edge T has (T/4)² threads per K slice:
// 256 for T=64, 64 per slice for T=32 (up to 4 slices: 256 threads, WebGPU's default limit).
const perThread = 4
// One slab of K per slice and iteration: 16 for 64-tiles, 8 for 32-tiles, so every thread loads
// exactly 4 elements of each operand per iteration and there are two barriers per slab.
const sliceK = { 32: 8, 64: 16 } as const
const loadsPerThread = 4

/**
 * The general product: a T×T tile of C per workgroup, K in slabs through workgroup memory.
 *
 * - Loads are coalesced for every layout: adjacent threads read adjacent addresses along the
 *   operand's contiguous axis (K for A[M,K] and B[N,K], M or N for A[K,M] and B[K,N]); the slab
 *   rows are padded by one float so the transposing store into workgroup memory has no bank
 *   conflicts.
 * - Thread (x,y) owns rows y + T/4·r and columns x + T/4·c (not a contiguous 4×4 block), so its
 *   reads of the B slab and its stores of C are consecutive across adjacent threads.
 * - Shapes (M, N, K) are WGSL literals: loops and guards fold; offsets stay in the per-dispatch
 *   record, so every time step of a scan shares one pipeline.
 * - split-K inside the workgroup (32-tiles, for outer sums over many rows whose C has few tiles):
 *   slice g sums its part of each slab, then slices 1.. leave their partial tiles in workgroup
 *   memory and slice 0 adds them. No scratch tensor and no second dispatch, and the sum is in a
 *   fixed order (deterministic), unlike atomics.
 */
export function tiledKernel(spec: MatmulSpec, shape: TiledShape, vec4 = true): KernelCall {
  const { tile, splitK } = shape
  const edge = tile / perThread // threads along each axis of the tile
  const sliceThreads = edge * edge
  const threads = sliceThreads * splitK
  const slab = sliceK[tile] * splitK // K consumed per iteration by the whole workgroup
  const stride = tile + 1 // padded row of a slab in workgroup memory
  const slabFloats = slab * stride
  const reduceFloats = (splitK - 1) * sliceThreads * perThread * perThread
  const shared = Math.max(2 * slabFloats, reduceFloats)
  if (slab * tile !== loadsPerThread * threads) throw new Error('tiled product: slab and threads disagree')

  const p = new ParamList()
  const { A, B, C, declare } = productBases(spec, p)
  const biases = spec.biases.map((o) => p.add(o))
  const { aAt, bAt } = operandIndex(spec, A, B)

  // An operand loads as vec4s where its offset and its contiguous extent are multiples of 4: then
  // every 4 floats along that axis start at a vec4 boundary (arena regions start at one).
  const aligned = (field: 'a' | 'b') => productsOf(spec).every((o) => o[field] % 4 === 0)
  const aVec = vec4 && aligned('a') && (spec.transposeA ? spec.m : spec.k) % 4 === 0
  const bVec = vec4 && aligned('b') && (spec.transposeB ? spec.k : spec.n) % 4 === 0
  const mem = aVec || bVec ? vec4Arena : scalarArena

  // Loads one operand's slab: `rows` is its M or N extent, `kContiguous` its memory order.
  const load = (
    base: number,
    row0: string,
    rows: number,
    kContiguous: boolean,
    at: (r: string, k: string) => string,
  ) => `
    for (var q = 0u; q < ${loadsPerThread}u; q++) {
      let e = lidx + q * ${threads}u;
      ${kContiguous ? `let kk = e % ${slab}u;\n      let rr = e / ${slab}u;` : `let rr = e % ${tile}u;\n      let kk = e / ${tile}u;`}
      let r = ${row0} + rr;
      let k = k0 + kk;
      var v = 0.0;
      if (r < ${rows}u && k < ${spec.k}u) { v = ${mem.read(at('r', 'k'))}; }
      smem[${base}u + kk * ${stride}u + rr] = v;
    }`

  // The same slab, one vec4 per thread (tile·slab = 4·threads), 4 floats along the contiguous axis.
  const loadVec4 = (
    base: number,
    row0: string,
    rows: number,
    kContiguous: boolean,
    at: (r: string, k: string) => string,
  ) => {
    const [index, element] = kContiguous
      ? [
          `let kq = lidx % ${slab / 4}u;\n      let r = ${row0} + lidx / ${slab / 4}u;\n      let k = k0 + 4u * kq;`,
          (i: number) => `${base}u + (4u * kq + ${i}u) * ${stride}u + r - ${row0}`,
        ]
      : [
          `let rq = lidx % ${tile / 4}u;\n      let r = ${row0} + 4u * rq;\n      let k = k0 + lidx / ${tile / 4}u;`,
          (i: number) => `${base}u + (k - k0) * ${stride}u + 4u * rq + ${i}u`,
        ]
    return `
    {
      ${index}
      var v = vec4<f32>();
      if (r < ${rows}u && k < ${spec.k}u) { v = arena[(${at('r', 'k')}) >> 2u]; }
${[0, 1, 2, 3].map((i) => `      smem[${element(i)}] = v[${i}];`).join('\n')}
    }`
  }
  const loadA = (aVec ? loadVec4 : load)(0, 'row0', spec.m, !spec.transposeA, (r, k) => aAt(r, k))
  const loadB = (bVec ? loadVec4 : load)(slabFloats, 'col0', spec.n, spec.transposeB, (r, k) => bAt(k, r))

  const wgsl = `${mem === vec4Arena ? vec4KernelHeader + vec4Helpers : kernelHeader}
var<workgroup> smem: array<f32, ${shared}>;
@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
${declare}  let row0 = wg.y * ${tile}u;
  let col0 = wg.x * ${tile}u;
  let slice = lidx / ${sliceThreads}u;
  let t = lidx % ${sliceThreads}u;
  let tx = t % ${edge}u;
  let ty = t / ${edge}u;
  var acc: array<f32, ${perThread * perThread}>;
  for (var k0 = 0u; k0 < ${spec.k}u; k0 += ${slab}u) {
${loadA}
${loadB}
    workgroupBarrier();
    for (var j = 0u; j < ${sliceK[tile]}u; j++) {
      let kk = slice * ${sliceK[tile]}u + j;
      var a: array<f32, ${perThread}>;
      var b: array<f32, ${perThread}>;
      for (var i = 0u; i < ${perThread}u; i++) {
        a[i] = smem[kk * ${stride}u + ty + ${edge}u * i];
        b[i] = smem[${slabFloats}u + kk * ${stride}u + tx + ${edge}u * i];
      }
      for (var r = 0u; r < ${perThread}u; r++) {
        for (var c = 0u; c < ${perThread}u; c++) { acc[r * ${perThread}u + c] += a[r] * b[c]; }
      }
    }
    workgroupBarrier();
  }
${splitK > 1 ? reduceSlices(sliceThreads, splitK) : ''}
  if (slice == 0u) {
    for (var r = 0u; r < ${perThread}u; r++) {
      for (var c = 0u; c < ${perThread}u; c++) {
        let m = row0 + ty + ${edge}u * r;
        let n = col0 + tx + ${edge}u * c;
        if (m < ${spec.m}u && n < ${spec.n}u) ${storeOutput(spec, C, biases, 'm', 'n', `acc[r * ${perThread}u + c]`, mem)}
      }
    }
  }
}`
  return {
    kind: 'product',
    wgsl,
    workgroups: productGrid(spec, Math.ceil(spec.n / tile), Math.ceil(spec.m / tile)),
    params: p.words,
  }
}

/** Slices 1.. store their partial blocks (consecutive across threads), slice 0 adds them in order. */
const reduceSlices = (sliceThreads: number, splitK: number) => {
  const block = perThread * perThread
  return `  if (slice > 0u) {
    for (var e = 0u; e < ${block}u; e++) { smem[((slice - 1u) * ${block}u + e) * ${sliceThreads}u + t] = acc[e]; }
  }
  workgroupBarrier();
  if (slice == 0u) {
    for (var s = 0u; s < ${splitK - 1}u; s++) {
      for (var e = 0u; e < ${block}u; e++) { acc[e] += smem[(s * ${block}u + e) * ${sliceThreads}u + t]; }
    }
  }`
}
