import type { Activation, Node } from '@cellgraph/graph'
import { type ParamList, workgroupSize } from './kernel.js'
import type { ValueInfo } from './values.js'
import { activationExpression } from './wgsl.js'

/** A `matmul` or `layer` of the plan as a product x·W (+ biases, then an activation). */
export function productOf(node: Node, env: ReadonlyMap<string, ValueInfo>) {
  const [x, w, ...biases] = node.inputs.map((r) => env.get(r)!)
  // layer weights are stored [out, in]; a matmul says
  const transposeB = node.op === 'layer' || (node.attrs as { transposeB: boolean }).transposeB
  const activation: Activation =
    node.op === 'layer' ? (node.attrs as { activation: Activation }).activation : 'identity'
  const k = x!.last
  const n = transposeB ? w!.dims[0]! : w!.last
  return { x: x!, w: w!, biases, transposeB, activation, k, n }
}

/** Columns a row group's product thread computes at once, by default (`MatmulTuning.rowProductColumns`). */
export const defaultRowProductColumns = 4

/**
 * WGSL statements for row r of a product inside a row group (one workgroup per row): thread lid
 * computes columns lid, lid + 64, … of the row, `columns` of them at once (c0 + 64u for u <
 * columns), each with its own accumulator: one read of x[r, k] serves them all, and their weight
 * reads are independent, so a thread has that many loads in flight where one column at a time
 * waits for each (a row group has one workgroup of 64 threads per batch row: few warps to hide
 * latency with). Columns past N read column N − 1 and are not stored. The group's rows are a scan
 * step's batch, so there is no M to tile; every workgroup reads all of W (from cache after the
 * first), which costs less than a dispatch of its own at these sizes and lets a layer norm of
 * the product run in the same kernel.
 */
export function rowProductStatements(
  node: Node,
  env: ReadonlyMap<string, ValueInfo>,
  s: number,
  p: ParamList,
  columns: number = defaultRowProductColumns,
): string {
  const { x, w, biases, transposeB, activation, k: K, n: N } = productOf(node, env)
  const X = p.add(x.place(s))
  const W = p.add(w.place(s))
  const out = p.add(env.get(node.id)!.place(s))
  const biasPlaces = biases.map((b) => p.add(b.place(s)))
  const width = Math.max(1, Math.min(columns, Math.ceil(N / workgroupSize)))
  const us = Array.from({ length: width }, (_, u) => u)
  const weight = (c: string) => (transposeB ? `${W} + ${c} * ${K}u + k` : `${W} + k * ${N}u + ${c}`)
  const starts = us.map(
    (u) => `    let c${u} = min(c0 + ${u * workgroupSize}u, ${N - 1}u);\n    var acc${u} = 0.0;`,
  )
  const sums = us.map((u) => `      acc${u} += xk * arena[${weight(`c${u}`)}];`)
  const stores = us.map((u) => {
    const bias = biasPlaces.map((b) => ` + arena[${b} + c${u}]`).join('')
    const store = `{\n      let v = acc${u}${bias};\n      arena[${out} + r * ${N}u + c${u}] = ${activationExpression(activation, 'v')};\n    }`
    return u === 0 ? `    ${store}` : `    if (c0 + ${u * workgroupSize}u < ${N}u) ${store}`
  })
  return `  for (var c0 = lid; c0 < ${N}u; c0 += ${workgroupSize * width}u) {
${starts.join('\n')}
    for (var k = 0u; k < ${K}u; k++) {
      let xk = arena[${X} + r * ${K}u + k];
${sums.join('\n')}
    }
${stores.join('\n')}
  }`
}
