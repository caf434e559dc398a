import { isRows, type ValueType } from '@cellgraph/graph'
import type { CallStep, FusedStep, LevelPlan, Step } from './kernelPlan.js'
import { featuresOf } from './planner.js'
import type { HeadProduct } from './productHeads.js'
import type { ProductTail } from './productTails.js'

/** The row reductions a row group computes in workgroup memory. */
const rowReductions = new Set(['reduceSum', 'reduceMean'])
/** Products a row group may compute row by row (`products`): row r of x·W needs only row r of x. */
export const rowProducts = new Set(['matmul', 'layer'])

/**
 * Consecutive steps of one level that touch only their own row of every value they make: fused
 * kernels and row reductions (`reduceSum`, `reduceMean`) over values of the same row layout. A
 * renderer may run them as one kernel with one worker group per row, which finishes each step of
 * the row before the next starts (WebGPU: a layer norm is one dispatch, not two reductions and
 * three fused kernels). The steps keep their plan order; CPU renderers run them as they are.
 */
export interface RowGroup {
  readonly kind: 'rows'
  readonly steps: readonly (FusedStep | CallStep)[]
}

/**
 * The parameter words a group may need (one per operand read and value stored, two per
 * reduction): a group stops before it would pass this, to fit a kernel's parameter window.
 */
export const rowGroupParamBudget = 200

/** Which products a row group may take in: none, or those whose weight has at most `maxWeights` elements. */
export type ProductRule = false | { readonly maxWeights: number }

/** The row layout a step iterates over, or undefined when it cannot join a row group. */
function rowSpace(
  step: Step | ProductTail | HeadProduct,
  level: LevelPlan,
  products: ProductRule,
): ValueType | undefined {
  if (step.kind === 'fused') return isRows(step.type) ? step.type : undefined
  if (step.kind !== 'call') return undefined
  if (products && rowProducts.has(step.node.op)) {
    const out = level.types.of(step.node.id)
    const weights = level.types.of(step.node.inputs[1]!).shape.reduce((n, d) => n * d, 1)
    return isRows(out) && weights <= products.maxWeights ? out : undefined
  }
  if (!rowReductions.has(step.node.op)) return undefined
  const x = level.types.of(step.node.inputs[0]!)
  return isRows(x) ? x : undefined
}

const paramsOf = (step: FusedStep | CallStep) =>
  step.kind === 'fused' ? step.operands.length + step.stores.length : step.node.inputs.length + 1

/** The values a step reads that `made` holds, each read only at its own row (or not at all). */
function readsOwnRows(step: FusedStep | CallStep, made: ReadonlySet<string>, level: LevelPlan): boolean {
  if (step.kind === 'call') return true // a row reduction or product reads all of its row, nothing else
  return step.operands.every(
    ({ ref, access }) =>
      !made.has(ref) || (access.row !== 0 && access.row === featuresOf(level.types.of(ref))),
  )
}

/**
 * A level's steps (or `steps`, the level's after other rewrites such as `fuseProductTails`) with
 * each run of two or more steps that can share rows made one group. With `products`, matrix
 * products over rows whose weight has at most `products.maxWeights` elements join too (each
 * row's product computed by its own worker group): for scan bodies, whose rows are the batch.
 */
export function groupRows<S extends Step | ProductTail | HeadProduct = Step>(
  level: LevelPlan,
  steps: readonly S[] = level.steps as readonly S[],
  { products = false }: { readonly products?: ProductRule } = {},
): (S | RowGroup)[] {
  const out: (S | RowGroup)[] = []
  let run: (FusedStep | CallStep)[] = []
  let layout: string | undefined
  let made = new Set<string>()
  let params = 0
  const close = () => {
    if (run.length > 1) out.push({ kind: 'rows', steps: run })
    else out.push(...(run as S[]))
    run = []
    made = new Set()
    params = 0
  }
  for (const step of steps) {
    const space = rowSpace(step, level, products)
    if (!space) {
      close()
      out.push(step)
      continue
    }
    const member = step as FusedStep | CallStep
    if (
      run.length > 0 &&
      (space.layout !== layout ||
        params + paramsOf(member) > rowGroupParamBudget ||
        !readsOwnRows(member, made, level))
    )
      close()
    layout = space.layout
    run.push(member)
    params += paramsOf(member)
    if (member.kind === 'fused') for (const s of member.stores) made.add(s.id)
    else made.add(member.node.id)
  }
  close()
  return out
}
