import type { LevelPlan, Step } from './kernelPlan.js'
import { fuseProductTails, type ProductTail } from './productTails.js'
import { groupRows, type RowGroup } from './rowGroups.js'

/**
 * The largest weight (elements) whose product a row group computes itself, by default. A row
 * group runs one workgroup per batch row, each reading all of the weight: for small weights that
 * costs less than a dispatch of its own, for large ones the product kernel's many workgroups
 * (split over N and K) win. 2¹⁹ floats (2 MiB) keeps the bench's medium LSTM backward product
 * (weight 1024 × 256) in its row group and sends the large one (2048 × 512) to a product kernel.
 * A judgement, not a measurement: `MatmulTuning.rowGroupWeights` lets a GPU run sweep it.
 */
export const defaultRowGroupWeights = 2 ** 19

/**
 * The kernels of a scan body as WebGPU runs them, once a time step: each product with its tail
 * (`fuseProductTails`), then row groups that may include products whose weight has at most
 * `rowGroupWeights` elements (`groupRows`), leaving out the calls in `placedOnly` (concats that
 * other kernels write, or that run after the loop). Where row groups alone, with no product
 * tails, make fewer kernels, they run instead: a GRU's backward step (the gates' δ, then δ·W and
 * the sum after it) is one row group, where a product tail would leave the δ a kernel of its own.
 * On a tie the product tails win (a tiled product, not one workgroup per row reading all of W).
 */
export function bodyKernels(
  level: LevelPlan,
  placedOnly: ReadonlySet<string>,
  rowGroupWeights: number = defaultRowGroupWeights,
): (Step | ProductTail | RowGroup)[] {
  const products = { maxWeights: rowGroupWeights }
  const runs = <S extends Step | ProductTail>(steps: readonly S[]) =>
    steps.filter((st) => st.kind !== 'call' || !placedOnly.has(st.node.id))
  const withTails = groupRows(level, runs(fuseProductTails(level, products)), { products })
  const rowsOnly = groupRows(level, runs(level.steps), { products })
  return rowsOnly.length < withTails.length ? rowsOnly : withTails
}
