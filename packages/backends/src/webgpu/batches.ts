import type { Node } from '@cellgraph/graph'
import type { CallStep, FusedStep } from '../plan/kernelPlan.js'

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
export function batches<S extends { readonly kind: string }>(
  wave: readonly S[],
  shape: (node: Node) => string,
): (S | CallBatch | FusedBatch)[] {
  const groups = new Map<string, S[]>()
  const out: (S | string)[] = []
  for (const st of wave) {
    const call = st.kind === 'call' ? (st as S & CallStep).node : undefined
    const key =
      st.kind === 'fused'
        ? 'fused'
        : call && batchable.has(call.op)
          ? call.op === 'sumAll'
            ? 'sumAll'
            : `call ${shape(call)}`
          : undefined
    if (key === undefined) {
      out.push(st)
      continue
    }
    const group = groups.get(key)
    if (group) group.push(st)
    else {
      groups.set(key, [st])
      out.push(key)
    }
  }
  return out.map((item) => {
    if (typeof item !== 'string') return item
    const group = groups.get(item)!
    if (group.length === 1) return group[0]!
    if (item === 'fused') return { kind: 'fused batch', steps: group as unknown as FusedStep[] }
    return { kind: 'batch', nodes: group.map((st) => (st as unknown as CallStep).node) }
  })
}
