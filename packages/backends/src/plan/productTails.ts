import { isRows, parseRef } from '@cellgraph/graph'
import type { CallStep, FusedStep, LevelPlan, Step } from './kernelPlan.js'
import { featuresOf } from './planner.js'
import { groupRows, type ProductRule } from './rowGroups.js'

/**
 * A matrix product and the fused kernel right after it that reads the product only elementwise:
 * element (r, j) of the tail reads product element (r, offset + j) for each offset in `columns`
 * (an LSTM's four gate blocks, a GRU's three). A renderer may compute, for each (r, j), just
 * those dot products and apply the tail to them in registers: the product never goes to memory
 * and the time step is one kernel instead of two. The CPU renderers run the steps as they are.
 */
export interface ProductTail {
  readonly kind: 'productTail'
  readonly product: CallStep & { readonly node: { readonly op: 'matmul' | 'layer' } }
  readonly tail: FusedStep
  /** The product's column offsets the tail reads, each a block as wide as the tail's rows. */
  readonly columns: readonly number[]
}

/** Most column blocks a product tail reads: each is a register accumulator per thread. */
export const maxProductTailColumns = 8

/**
 * The product-tail pair starting at step `at`, or undefined where fusing would change what runs:
 * the product must be `matmul` or `layer` over rows (the batch, in a scan body), read by nothing
 * but the next step, a fused kernel over the same rows, at column offsets that fit the product.
 */
function productTailAt(level: LevelPlan, at: number, rowProducts: ProductRule): ProductTail | undefined {
  const product = level.steps[at]
  const tail = level.steps[at + 1]
  if (product?.kind !== 'call' || tail?.kind !== 'fused') return undefined
  const { node } = product
  if (node.op !== 'matmul' && node.op !== 'layer') return undefined
  const type = level.types.of(node.id)
  if (!isRows(type) || !isRows(tail.type) || type.layout !== tail.type.layout) return undefined
  const width = featuresOf(type)
  const tailWidth = featuresOf(tail.type)
  const columns = new Set<number>()
  for (const { ref, access } of tail.operands) {
    if (parseRef(ref).node !== node.id) continue
    if (access.col !== 1 || access.row !== width || access.offset + tailWidth > width) return undefined
    columns.add(access.offset)
  }
  if (columns.size === 0 || columns.size > maxProductTailColumns) return undefined
  // Nothing else may read the product: it never reaches memory.
  if (level.graph.outputs.some((o) => parseRef(o.ref).node === node.id)) return undefined
  const members = new Set(tail.members.map((m) => m.id))
  for (const n of level.graph.nodes)
    if (!members.has(n.id) && n.inputs.some((r) => parseRef(r).node === node.id)) return undefined
  // A tail that shares rows with the step after it (a layer norm's mean) goes with that row group
  // instead, where the product may join it too (`groupRows` with `rowProducts`): one kernel, not two.
  const next = level.steps[at + 2]
  if (next && groupRows(level, [product, tail, next], { products: rowProducts }).length === 1)
    return undefined
  return { kind: 'productTail', product: product as ProductTail['product'], tail, columns: [...columns] }
}

/**
 * A level's steps with each product and the fused kernel that reads it elementwise made one,
 * except where the product, its tail and the step after them make one row group under
 * `rowProducts` (the products row groups may take in; any, by default).
 */
export function fuseProductTails(
  level: LevelPlan,
  rowProducts: ProductRule = { maxWeights: Number.POSITIVE_INFINITY },
): (Step | ProductTail)[] {
  const out: (Step | ProductTail)[] = []
  for (let at = 0; at < level.steps.length; at++) {
    const pair = productTailAt(level, at, rowProducts)
    if (pair) {
      out.push(pair)
      at++
    } else out.push(level.steps[at]!)
  }
  return out
}
