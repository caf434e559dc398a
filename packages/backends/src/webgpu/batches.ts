import type { Node } from '@cellgraph/graph'
import type { CallStep, FusedStep, Step } from '../plan/kernelPlan.js'
import type { RowGroup } from '../plan/rowGroups.js'

/** Calls whose independent instances WebGPU runs as one dispatch: products and column sums of one shape, sums of all elements. */
const batchable = new Set(['matmul', 'outerSum', 'sumRows', 'sumAll'])

/** Independent calls of one op (and shape, but for `sumAll`), run by one kernel. */
export interface CallBatch {
  readonly kind: 'batch'
  readonly nodes: readonly Node[]
}

/** Independent fused kernels run as the segments of one (`segmentedKernel`). */
export interface FusedBatch {
  readonly kind: 'fused batch'
  readonly steps: readonly FusedStep[]
}

/**
 * The independent steps of one wave (`waves`) with those WebGPU can run together joined: fused
 * kernels of any iteration spaces, products and column sums of one `shape` (op, attributes and
 * operand types), sums of all elements of any sizes. An LSTM's four gate-weight gradients are four
 * outer sums over the same rows, each too small alone to fill a GPU, and each dispatch waits for
 * the one before it (every kernel writes the one arena). A batch stands where its first member
 * stood; a batch of one stays its step.
 */
export function batches<S extends Step | RowGroup>(
  wave: readonly S[],
  shape: (node: Node) => string,
): (S | CallBatch | FusedBatch)[] {
  const fused: FusedStep[] = []
  const calls = new Map<string, CallStep[]>()
  // Each group's first member holds its place: the group, or a step that joins none.
  const out: (S | FusedStep[] | CallStep[])[] = []
  for (const st of wave) {
    if (st.kind === 'fused') {
      if (fused.length === 0) out.push(fused)
      fused.push(st)
      continue
    }
    if (st.kind !== 'call' || !batchable.has(st.node.op)) {
      out.push(st)
      continue
    }
    const key = st.node.op === 'sumAll' ? 'sumAll' : shape(st.node)
    const group = calls.get(key)
    if (group) group.push(st)
    else {
      calls.set(key, [st])
      out.push(calls.get(key)!)
    }
  }
  return out.map((item) => {
    if (!Array.isArray(item)) return item
    if (item.length === 1) return item[0] as S
    if (item === fused) return { kind: 'fused batch', steps: fused }
    return { kind: 'batch', nodes: (item as CallStep[]).map((st) => st.node) }
  })
}
