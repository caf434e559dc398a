import type { Node } from '@cellgraph/graph'
import type { CallStep } from '../plan/kernelPlan.js'

/** Calls whose independent instances of one shape WebGPU runs as one dispatch. */
const batchable = new Set(['matmul', 'outerSum', 'sumRows'])

/** Independent calls of one op and shape, run by one kernel (its grid's z, or a per-call index). */
export interface CallBatch {
  readonly kind: 'batch'
  readonly nodes: readonly Node[]
}

/**
 * Groups the independent product and column-sum calls among consecutive calls by `shape` (op,
 * attributes and operand types): an LSTM's weight gradients are four outer sums over the same rows
 * and four column sums, each too small alone to fill a GPU, and each dispatch waits for the one
 * before it (every kernel writes the one arena). A run of calls ends at any other step or at a call
 * that reads what the run made; a group of one stays its call.
 */
export function callBatches<S extends { readonly kind: string }>(
  steps: readonly S[],
  shape: (node: Node) => string,
): (S | CallBatch)[] {
  const out: (S | CallBatch)[] = []
  let run: (S & CallStep)[] = []
  let made = new Set<string>()
  const close = () => {
    const groups = new Map<string, (S & CallStep)[]>()
    for (const st of run) {
      const key = shape(st.node)
      groups.set(key, [...(groups.get(key) ?? []), st])
    }
    for (const group of groups.values())
      out.push(group.length === 1 ? group[0]! : { kind: 'batch', nodes: group.map((st) => st.node) })
    run = []
    made = new Set()
  }
  for (const st of steps) {
    const call = st.kind === 'call' ? (st as S & CallStep) : undefined
    if (!call || !batchable.has(call.node.op)) {
      close()
      out.push(st)
      continue
    }
    if (call.node.inputs.some((r) => made.has(r))) close()
    run.push(call)
    made.add(call.node.id)
  }
  close()
  return out
}
