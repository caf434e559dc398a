import { isRows, parseRef } from '@cellgraph/graph'
import type { FusedStep, LevelPlan, Step } from './kernelPlan.js'
import { featuresOf } from './planner.js'
import type { ProductTail } from './productTails.js'

/**
 * A matrix product whose x the fused kernel right before it makes: x is one of the kernel's
 * stored members, or a concat of several (an LSTM's backward step joins the four gates' δ, each
 * computed at element (r, j), for δ·W). A renderer may compute x inside the product's kernel as it
 * needs it, in every workgroup that reads it, and have one set of workgroups also store what the
 * head stores: a backward time step is one kernel spread over the whole product, where a row group
 * (one workgroup per batch row) leaves most of a large GPU idle. The product may have its own
 * tail (`ProductTail`), which may read the head's stores at its own element (a GRU's δ·W + the
 * δ of h that did not pass through the gates). The CPU renderers run the steps as they are.
 */
export interface HeadProduct {
  readonly kind: 'headProduct'
  readonly head: FusedStep
  /** The head's stores that make x, in x's column order: each as wide as the head's rows. */
  readonly parts: readonly string[]
  readonly product: ProductTail['product'] | ProductTail
}

/** Most parts of x a head makes: the kernel stages a slice of each at every step through K. */
export const maxHeadParts = 8

/**
 * The parameter words a head product may need (the head's reads and stores, its concat stores,
 * the product's weight, biases and output, the tail's reads and stores): the pair stays apart
 * past this, to fit a kernel's parameter window.
 */
export const headProductParamBudget = 200

const productOp = (op: string) => op === 'matmul' || op === 'layer'

/** The parts of x the head makes, in column order, or undefined where x is anything else. */
function partsOf(level: LevelPlan, head: FusedStep, x: string, absorbed: ReadonlySet<string>) {
  const stored = new Set(head.stores.map((s) => s.id))
  const ref = parseRef(x)
  if (ref.output !== 0) return undefined
  if (stored.has(ref.node)) return [ref.node]
  if (!absorbed.has(ref.node)) return undefined
  const concat = level.graph.nodes.find((n) => n.id === ref.node)
  const parts = concat?.inputs.map((r) => parseRef(r))
  if (!parts?.length || parts.length > maxHeadParts) return undefined
  return parts.every((p) => p.output === 0 && stored.has(p.node)) ? parts.map((p) => p.node) : undefined
}

/** The head product of `head` and `next`, or undefined where fusing them would change what runs. */
function headProductOf(
  level: LevelPlan,
  head: Step | ProductTail | HeadProduct | undefined,
  next: Step | ProductTail | HeadProduct | undefined,
  absorbed: ReadonlySet<string>,
): HeadProduct | undefined {
  if (head?.kind !== 'fused' || !isRows(head.type)) return undefined
  const product = next?.kind === 'productTail' ? next.product : next?.kind === 'call' ? next : undefined
  if (!product || !productOp(product.node.op)) return undefined
  const out = level.types.of(product.node.id)
  if (!isRows(out) || out.layout !== head.type.layout) return undefined
  const parts = partsOf(level, head, product.node.inputs[0]!, absorbed)
  if (!parts) return undefined
  const width = featuresOf(head.type)
  const stored = new Set(head.stores.map((s) => s.id))
  if (product.node.inputs.slice(1).some((r) => stored.has(parseRef(r).node))) return undefined
  const concatStores = parts.length > 1 ? parts.length : 0
  let params = head.operands.length + head.stores.length + concatStores + product.node.inputs.length
  if (next!.kind === 'productTail') {
    const { tail } = next as ProductTail
    // The tail reads a head store only at its own element: it computes that element again.
    for (const { ref, access } of tail.operands)
      if (
        stored.has(parseRef(ref).node) &&
        (featuresOf(tail.type) !== width || access.offset !== 0 || access.col !== 1 || access.row !== width)
      )
        return undefined
    params += tail.operands.length + tail.stores.length
  }
  if (params > headProductParamBudget) return undefined
  return { kind: 'headProduct', head, parts, product: next as HeadProduct['product'] }
}

/**
 * `steps` (a scan body's, after `fuseProductTails`, without the concats that fused kernels write,
 * `absorbed`) with each fused kernel that makes the x of the product right after it made one
 * with that product (`HeadProduct`).
 */
export function fuseProductHeads<S extends Step | ProductTail>(
  level: LevelPlan,
  steps: readonly S[],
  absorbed: ReadonlySet<string>,
): (S | HeadProduct)[] {
  const out: (S | HeadProduct)[] = []
  for (let at = 0; at < steps.length; at++) {
    const fused = headProductOf(level, steps[at], steps[at + 1], absorbed)
    if (fused) {
      out.push(fused)
      at++
    } else out.push(steps[at]!)
  }
  return out
}
