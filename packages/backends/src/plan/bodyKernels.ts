import type { LevelPlan, Step } from './kernelPlan.js'
import { fuseProductHeads, type HeadProduct } from './productHeads.js'
import { fuseProductTails, type ProductTail } from './productTails.js'
import { groupRows, type RowGroup } from './rowGroups.js'

/**
 * The largest weight (elements) whose product a row group computes itself, by default. A row
 * group runs one workgroup per batch row, each reading all of the weight: for small weights that
 * costs less than a dispatch of its own, for large ones the product kernel's many workgroups
 * (split over N and K) win. 2¹⁹ floats (2 MiB) keeps the bench's medium layer_norm_lstm's
 * recurrent product (weight 1024 × 256) in its row group and sends the large one (2048 × 512) to
 * a product kernel. A judgement, not a measurement: `MatmulTuning.rowGroupWeights` lets a GPU run
 * sweep it.
 */
export const defaultRowGroupWeights = 2 ** 19

/** How a scan body's kernels are chosen (`MatmulTuning` carries both for a GPU run to sweep). */
export interface BodyKernelOptions {
  /** The largest weight a row group's product may have. Default `defaultRowGroupWeights`. */
  readonly rowGroupWeights?: number
  /** Whether a fused kernel that makes a product's x runs inside the product's kernel (`HeadProduct`). Default true. */
  readonly headProducts?: boolean
}

/**
 * The kernels of a scan body as WebGPU runs them, once a time step: each product with its tail
 * (`fuseProductTails`) and with the fused kernel that makes its x (`fuseProductHeads`), then row
 * groups that may include products whose weight has at most `rowGroupWeights` elements
 * (`groupRows`), leaving out the calls in `placedOnly` (concats that other kernels write, or that
 * run after the loop). Where row groups alone make fewer kernels, they run instead (with
 * `headProducts` off, a GRU's backward step: the gates' δ, then δ·W and the sum after it, is one
 * row group where a product tail would leave the δ a kernel of its own). On a tie the products
 * win: a product kernel spreads over the whole GPU, a row group has one workgroup per batch row
 * reading all of W.
 */
export function bodyKernels(
  level: LevelPlan,
  placedOnly: ReadonlySet<string>,
  { rowGroupWeights = defaultRowGroupWeights, headProducts = true }: BodyKernelOptions = {},
): (Step | ProductTail | HeadProduct | RowGroup)[] {
  const products = { maxWeights: rowGroupWeights }
  const runs = <S extends Step | ProductTail>(steps: readonly S[]) =>
    steps.filter((st) => st.kind !== 'call' || !placedOnly.has(st.node.id))
  const tails = runs(fuseProductTails(level, products))
  const fused = headProducts ? fuseProductHeads(level, tails, placedOnly) : tails
  const withProducts = groupRows(level, fused, { products })
  const rowsOnly = groupRows(level, runs(level.steps), { products })
  return rowsOnly.length < withProducts.length ? rowsOnly : withProducts
}
