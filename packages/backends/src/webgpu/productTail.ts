import { parseRef } from '@cellgraph/graph'
import type { ConcatStore } from '../plan/concatStores.js'
import type { ProductTail } from '../plan/productTails.js'
import { fusedElement } from './fused.js'
import { type KernelCall, kernelHeader, ParamList, workgroupSize } from './kernel.js'
import { productOf } from './rowProduct.js'
import type { ValueInfo } from './values.js'
import { activationExpression } from './wgsl.js'

/**
 * Floats of weights, and of inputs, a workgroup stages per step through K: 8 KiB each, within
 * WebGPU's default 16 KiB of workgroup memory.
 */
const staged = 2048

const pow2AtLeast = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(n, 1)))
const pow2AtMost = (n: number) => 2 ** Math.floor(Math.log2(Math.max(n, 1)))

/**
 * The shape of a product-tail kernel: a workgroup owns `columns` consecutive hidden units (tail
 * features j) and `rows` rows, one thread per (row, unit). The recurrent product of a time step
 * has few rows (the batch) and many columns, so the grid runs along the units; at most 32 units
 * a workgroup keeps two or more rows in it, sharing each weight it stages. Weights go through
 * workgroup memory `depth` of K at a time, every column block of the tail at once.
 */
export function productTailShape(features: number, blocks: number) {
  const columns = Math.min(32, pow2AtLeast(features))
  const rows = workgroupSize / columns
  const depth = Math.min(64, pow2AtMost(staged / (blocks * columns)), pow2AtMost(staged / rows))
  return { columns, rows, depth }
}

/**
 * One kernel for a recurrent product and its pointwise tail (`fuseProductTails`): each thread
 * computes, for its row r and hidden unit j, the dot products the tail reads — product columns
 * offset + j for each of the tail's column blocks (an LSTM's four gates) — and applies the tail to
 * them in registers, so the product never goes to memory and a time step is one dispatch.
 *
 * Why this shape: the product is small-M (M = batch), so a kernel tiled over M would leave most
 * of a tile idle; here a workgroup covers a block of units across a block of rows. Each K step
 * stages the rows' inputs and the weights of every block in workgroup memory, loaded so that
 * neighbouring threads read neighbouring addresses whichever way the weight is stored ([K, N],
 * or [N, K] for layer weights), then every thread reads them from workgroup memory. Sizes are
 * WGSL literals: a plan is built for one batch size. Products outside scan bodies (M = T·batch)
 * keep the tiled kernel.
 */
export function productTailKernel(
  pair: ProductTail,
  env: ReadonlyMap<string, ValueInfo>,
  s: number,
  concats: ReadonlyMap<string, readonly ConcatStore[]>,
): KernelCall {
  const { product, tail, columns: offsets } = pair
  const node = product.node
  const { x: a, w: b, biases, transposeB, activation, k: K, n: N } = productOf(node, env)
  const out = env.get(tail.members.at(-1)!.id)!
  const [R, H] = [out.rows, out.last]
  const G = offsets.length
  const { columns: JB, rows: RB, depth: KT } = productTailShape(H, G)
  const p = new ParamList()
  const A = p.add(a.place(s))
  const B = p.add(b.place(s))
  const biasAt = biases.map((x) => p.add(x.place(s)))
  // Weight tile e = (g, kk, jj) ↦ B(k0 + kk, offset_g + j0 + jj); consecutive e walk the
  // weight's contiguous axis: units for [K, N], K for [N, K].
  const tileIndex = transposeB
    ? `let jj = e / ${KT}u;\n      let kk = e % ${KT}u;`
    : `let kk = e / ${JB}u;\n      let jj = e % ${JB}u;`
  const weightAt = transposeB ? `${B} + n * ${K}u + k` : `${B} + k * ${N}u + n`
  // One staging loop per column block, its offset a literal.
  const weightLoads = offsets
    .map(
      (o, g) => `    for (var e = tid; e < ${KT * JB}u; e += ${workgroupSize}u) {
      ${tileIndex}
      let k = k0 + kk;
      let n = ${o}u + j0 + jj;
      var v = 0.0;
      if (j0 + jj < ${H}u && k < ${K}u) { v = arena[${weightAt}]; }
      tileB[${g * KT * JB}u + kk * ${JB}u + jj] = v;
    }`,
    )
    .join('\n')
  const accumulate = offsets
    .map((_, g) => `      acc${g} += x * tileB[${g * KT * JB}u + kk * ${JB}u + lid.x];`)
    .join('\n')
  const productValues = offsets
    .map((o, g) => {
      const bias = biasAt.map((at) => ` + arena[${at} + ${o}u + j]`).join('')
      return `    let product${g} = ${activationExpression(activation, `(acc${g}${bias})`)};`
    })
    .join('\n')
  const productId = node.id
  const blockOf = new Map(offsets.map((o, g) => [o, g]))
  const computed = (k: number) => {
    const { ref, access } = tail.operands[k]!
    return parseRef(ref).node === productId ? `product${blockOf.get(access.offset)!}` : undefined
  }
  const element = fusedElement(tail, env, H, s, p, { computed, concats }).replaceAll('\n', '\n  ')
  const wgsl = `${kernelHeader}
var<workgroup> tileA: array<f32, ${RB * KT}>;
var<workgroup> tileB: array<f32, ${G * KT * JB}>;
@compute @workgroup_size(${JB}, ${RB})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let j0 = wg.x * ${JB}u;
  let r0 = wg.y * ${RB}u;
  let j = j0 + lid.x;
  let r = r0 + lid.y;
  let tid = lid.y * ${JB}u + lid.x;
${offsets.map((_, g) => `  var acc${g} = 0.0;`).join('\n')}
  for (var k0 = 0u; k0 < ${K}u; k0 += ${KT}u) {
    for (var e = tid; e < ${RB * KT}u; e += ${workgroupSize}u) {
      let rr = r0 + e / ${KT}u;
      let k = k0 + e % ${KT}u;
      var v = 0.0;
      if (rr < ${R}u && k < ${K}u) { v = arena[${A} + rr * ${K}u + k]; }
      tileA[e] = v;
    }
${weightLoads}
    workgroupBarrier();
    for (var kk = 0u; kk < ${KT}u; kk++) {
      let x = tileA[lid.y * ${KT}u + kk];
${accumulate}
    }
    workgroupBarrier();
  }
  if (r < ${R}u && j < ${H}u) {
    let i = r * ${H}u + j;
${productValues}
  ${element}
  }
}`
  const groups: [number, number, number] = [Math.ceil(H / JB), Math.ceil(R / RB), 1]
  if (groups[1] > 65535) throw new Error(`a product tail over ${R} rows exceeds the dispatch grid limit`)
  return { kind: 'product with tail', wgsl, workgroups: groups, params: p.words }
}
