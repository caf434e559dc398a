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

/**
 * WGSL statements for row r of a product inside a row group (one workgroup per row): thread lid
 * computes columns lid, lid + 64, … of the row. The group's rows are a scan step's batch, so
 * there is no M to tile; every workgroup reads all of W (from cache after the first), which
 * costs less than a dispatch of its own at these sizes and lets a layer norm of the product run
 * in the same kernel.
 */
export function rowProductStatements(
  node: Node,
  env: ReadonlyMap<string, ValueInfo>,
  s: number,
  p: ParamList,
): string {
  const { x, w, biases, transposeB, activation, k: K, n: N } = productOf(node, env)
  const X = p.add(x.place(s))
  const W = p.add(w.place(s))
  const out = p.add(env.get(node.id)!.place(s))
  const weight = transposeB ? `${W} + c * ${K}u + k` : `${W} + k * ${N}u + c`
  const bias = biases.map((b) => ` + arena[${p.add(b.place(s))} + c]`).join('')
  return `  for (var c = lid; c < ${N}u; c += ${workgroupSize}u) {
    var acc = 0.0;
    for (var k = 0u; k < ${K}u; k++) { acc += arena[${X} + r * ${K}u + k] * arena[${weight}]; }
    let v = acc${bias};
    arena[${out} + r * ${N}u + c] = ${activationExpression(activation, 'v')};
  }`
}
