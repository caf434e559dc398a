import type { LevelPlan, Step } from './kernelPlan.js'
import { fuseProductTails, type ProductTail } from './productTails.js'
import { groupRows, type RowGroup } from './rowGroups.js'

/**
 * The kernels of a scan body as WebGPU runs them, once a time step: each product with its tail
 * (`fuseProductTails`), then row groups that may include products (`groupRows`), leaving out the
 * calls in `placedOnly` (concats that other kernels write, or that run after the loop).
 */
export function bodyKernels(
  level: LevelPlan,
  placedOnly: ReadonlySet<string>,
): (Step | ProductTail | RowGroup)[] {
  const steps = fuseProductTails(level).filter((st) => st.kind !== 'call' || !placedOnly.has(st.node.id))
  return groupRows(level, steps, { products: true })
}
