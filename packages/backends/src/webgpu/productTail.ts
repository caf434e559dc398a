import { parseRef } from '@cellgraph/graph'
import type { ConcatStore } from '../plan/concatStores.js'
import type { CallStep, FusedStep } from '../plan/kernelPlan.js'
import type { HeadProduct } from '../plan/productHeads.js'
import type { ProductTail } from '../plan/productTails.js'
import { fusedElement, fusedValues, storeLines } from './fused.js'
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
 * workgroup memory `depth` of K at a time (`parts` slices of `depth / parts` each, where a head
 * makes x in parts), every column block of the tail at once.
 */
export function productTailShape(features: number, blocks: number, parts = 1) {
  const columns = Math.min(32, pow2AtLeast(features))
  const rows = workgroupSize / columns
  const budget = Math.min(64, pow2AtMost(staged / (blocks * columns)), pow2AtMost(staged / rows))
  const slice = pow2AtMost(Math.max(1, Math.floor(budget / parts)))
  return { columns, rows, depth: slice * parts, slice }
}

/** What one fused-product kernel computes: a product, with the fused kernel that makes its x, or the one that reads it, or both. */
function fusedProductParts(step: ProductTail | HeadProduct) {
  const headed = step.kind === 'headProduct' ? step : undefined
  const pair = headed ? headed.product : step
  const withTail = pair.kind === 'productTail' ? pair : undefined
  return {
    head: headed && { step: headed.head, parts: headed.parts },
    product: withTail ? withTail.product.node : (pair as CallStep).node,
    tail: withTail && { step: withTail.tail, columns: withTail.columns },
  }
}

/**
 * WGSL function `headElement(r, j, keep)`: every value the head stores at its element (r, j),
 * written to memory (and into its concats) when `keep`.
 */
function headFunction(
  head: FusedStep,
  env: ReadonlyMap<string, ValueInfo>,
  s: number,
  p: ParamList,
  concats: ReadonlyMap<string, readonly ConcatStore[]>,
) {
  const width = env.get(head.members.at(-1)!.id)!.last
  const { lines, values } = fusedValues(head, env, width, s, p)
  const stores = values.flatMap(({ id, value }) => storeLines(id, value, env, s, p, concats))
  return `fn headElement(r: u32, j: u32, keep: bool) -> array<f32, ${values.length}> {
  let i = r * ${width}u + j;
${lines.join('\n')}
  if (keep) {
  ${stores.join('\n  ')}
  }
  return array<f32, ${values.length}>(${values.map((v) => v.value).join(', ')});
}`
}

/**
 * One kernel for a recurrent product and the fused kernels around it: its pointwise tail
 * (`fuseProductTails`), the fused kernel that makes its x (`fuseProductHeads`), or both. Each
 * thread computes, for its row r and hidden unit j, the dot products the tail reads — product
 * columns offset + j for each of the tail's column blocks (an LSTM's four gates) — and applies the
 * tail to them in registers, so the product never goes to memory and a time step is one dispatch.
 * Without a tail, j is a column of the product, which the thread stores.
 *
 * Why this shape: the product is small-M (M = batch), so a kernel tiled over M would leave most
 * of a tile idle; here a workgroup covers a block of units across a block of rows. Each K step
 * stages the rows' inputs and the weights of every block in workgroup memory, loaded so that
 * neighbouring threads read neighbouring addresses whichever way the weight is stored ([K, N],
 * or [N, K] for layer weights), then every thread reads them from workgroup memory. With a head,
 * a K step covers the same head elements in each of x's parts (the four gates' δ of units
 * k0..k0 + slice): the workgroup computes those elements itself (every workgroup along the units
 * repeats them, a few pointwise ops each), and the first workgroup of each block of rows also
 * stores them, since later kernels read them (the weight gradients after the loop, the next
 * step's carries). Sizes are WGSL literals: a plan is built for one batch size. Products outside
 * scan bodies (M = T·batch) keep the tiled kernel.
 */
export function productTailKernel(
  step: ProductTail | HeadProduct,
  env: ReadonlyMap<string, ValueInfo>,
  s: number,
  concats: ReadonlyMap<string, readonly ConcatStore[]>,
): KernelCall {
  const { head, product: node, tail } = fusedProductParts(step)
  const offsets = tail?.columns ?? [0]
  const { x: a, w: b, biases, transposeB, activation, k: K, n: N } = productOf(node, env)
  const out = env.get(tail ? tail.step.members.at(-1)!.id : node.id)!
  const [R, H] = [out.rows, out.last]
  const G = offsets.length
  const P = head?.parts.length ?? 1
  const Kp = K / P // each part's width: a head's rows
  const { columns: JB, rows: RB, depth: D, slice: KT } = productTailShape(H, G, P)
  const p = new ParamList()
  const headFn = head ? headFunction(head.step, env, s, p, concats) : ''
  const B = p.add(b.place(s))
  const biasAt = biases.map((x) => p.add(x.place(s)))
  // Stage position kk holds K index kOf(kk): part kk / KT, element k0 + kk % KT of it.
  const kOf = (kk: string) => (P === 1 ? `k0 + ${kk}` : `(${kk} / ${KT}u) * ${Kp}u + k0 + ${kk} % ${KT}u`)
  const inK = (kk: string) => (P === 1 ? `k0 + ${kk} < ${K}u` : `k0 + ${kk} % ${KT}u < ${Kp}u`)
  const stageInputs = head
    ? `    for (var e = tid; e < ${RB * KT}u; e += ${workgroupSize}u) {
      let rr = e / ${KT}u;
      let jj = e % ${KT}u;
      var h = array<f32, ${head.step.stores.length}>();
      if (r0 + rr < ${R}u && k0 + jj < ${Kp}u) { h = headElement(r0 + rr, k0 + jj, wg.x == 0u); }
${head.parts
  .map(
    (id, q) =>
      `      tileA[rr * ${D}u + ${q * KT}u + jj] = h[${head.step.stores.findIndex((st) => st.id === id)}];`,
  )
  .join('\n')}
    }`
    : `    for (var e = tid; e < ${RB * D}u; e += ${workgroupSize}u) {
      let rr = r0 + e / ${D}u;
      let kk = e % ${D}u;
      var v = 0.0;
      if (rr < ${R}u && ${inK('kk')}) { v = arena[${p.add(a.place(s))} + rr * ${K}u + ${kOf('kk')}]; }
      tileA[e] = v;
    }`
  // Weight tile e = (g, kk, jj) ↦ B(kOf(kk), offset_g + j0 + jj); consecutive e walk the
  // weight's contiguous axis: units for [K, N], K for [N, K].
  const tileIndex = transposeB
    ? `let jj = e / ${D}u;\n      let kk = e % ${D}u;`
    : `let kk = e / ${JB}u;\n      let jj = e % ${JB}u;`
  const weightAt = transposeB ? `${B} + n * ${K}u + k` : `${B} + k * ${N}u + n`
  // One staging loop per column block, its offset a literal.
  const weightLoads = offsets
    .map(
      (o, g) => `    for (var e = tid; e < ${D * JB}u; e += ${workgroupSize}u) {
      ${tileIndex}
      let k = ${kOf('kk')};
      let n = ${o}u + j0 + jj;
      var v = 0.0;
      if (j0 + jj < ${H}u && ${inK('kk')}) { v = arena[${weightAt}]; }
      tileB[${g * D * JB}u + kk * ${JB}u + jj] = v;
    }`,
    )
    .join('\n')
  const accumulate = offsets
    .map((_, g) => `      acc${g} += x * tileB[${g * D * JB}u + kk * ${JB}u + lid.x];`)
    .join('\n')
  const productValues = offsets
    .map((o, g) => {
      const bias = biasAt.map((at) => ` + arena[${at} + ${o}u + j]`).join('')
      return `    let product${g} = ${activationExpression(activation, `(acc${g}${bias})`)};`
    })
    .join('\n')
  const element = tail
    ? tailElement(tail.step, offsets, node.id, head?.step, env, H, s, p, concats)
    : `  arena[${p.add(out.place(s))} + i] = product0;`
  const wgsl = `${kernelHeader}
var<workgroup> tileA: array<f32, ${RB * D}>;
var<workgroup> tileB: array<f32, ${G * D * JB}>;
${headFn}
@compute @workgroup_size(${JB}, ${RB})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let j0 = wg.x * ${JB}u;
  let r0 = wg.y * ${RB}u;
  let j = j0 + lid.x;
  let r = r0 + lid.y;
  let tid = lid.y * ${JB}u + lid.x;
${offsets.map((_, g) => `  var acc${g} = 0.0;`).join('\n')}
  for (var k0 = 0u; k0 < ${Kp}u; k0 += ${KT}u) {
${stageInputs}
${weightLoads}
    workgroupBarrier();
    for (var kk = 0u; kk < ${D}u; kk++) {
      let x = tileA[lid.y * ${D}u + kk];
${accumulate}
    }
    workgroupBarrier();
  }
  if (r < ${R}u && j < ${H}u) {
    let i = r * ${H}u + j;
${productValues}
  ${element.replaceAll('\n', '\n  ')}
  }
}`
  const groups: [number, number, number] = [Math.ceil(H / JB), Math.ceil(R / RB), 1]
  if (groups[1] > 65535) throw new Error(`a product tail over ${R} rows exceeds the dispatch grid limit`)
  return { kind: head ? 'product with head' : 'product with tail', wgsl, workgroups: groups, params: p.words }
}

/**
 * The tail's element (r, j): the product's blocks from registers, the head's stores (read at
 * this element only) computed again, everything else from memory.
 */
function tailElement(
  tail: FusedStep,
  offsets: readonly number[],
  productId: string,
  head: FusedStep | undefined,
  env: ReadonlyMap<string, ValueInfo>,
  H: number,
  s: number,
  p: ParamList,
  concats: ReadonlyMap<string, readonly ConcatStore[]>,
) {
  const blockOf = new Map(offsets.map((o, g) => [o, g]))
  const headIndex = new Map(head?.stores.map((st, q) => [st.id, q]))
  let readsHead = false
  const computed = (k: number) => {
    const { ref, access } = tail.operands[k]!
    const { node } = parseRef(ref)
    if (node === productId) return `product${blockOf.get(access.offset)!}`
    const q = headIndex.get(node)
    if (q === undefined) return undefined
    readsHead = true
    return `headAt[${q}]`
  }
  const element = fusedElement(tail, env, H, s, p, { computed, concats })
  return readsHead ? `  let headAt = headElement(r, j, false);\n${element}` : element
}
