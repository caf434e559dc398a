import { parseRef } from '@cellgraph/graph'
import type { ConcatStore } from '../plan/concatStores.js'
import type { FusedStep, LevelPlan } from '../plan/kernelPlan.js'

/**
 * The sums of all elements whose input is the one value a fused kernel stores, read by nothing
 * else (the loss's h·R, the optimizer's squared gradients): by sum node, that fused kernel. The
 * sum computes each element where it adds it (`sumsOfAll`): one kernel instead of two, and the
 * value never reaches memory.
 */
export function sumPrologues(
  level: LevelPlan,
  concats: ReadonlyMap<string, readonly ConcatStore[]>,
): Map<string, FusedStep> {
  const readers = new Map<string, number>()
  for (const n of level.graph.nodes)
    for (const r of n.inputs) readers.set(parseRef(r).node, (readers.get(parseRef(r).node) ?? 0) + 1)
  const outputs = new Set(level.graph.outputs.map((o) => parseRef(o.ref).node))
  const storing = new Map<string, FusedStep>()
  for (const st of level.steps)
    if (st.kind === 'fused' && st.stores.length === 1) storing.set(st.stores[0]!.id, st)
  const prologues = new Map<string, FusedStep>()
  for (const st of level.steps) {
    if (st.kind !== 'call' || st.node.op !== 'sumAll') continue
    const { node: id, output } = parseRef(st.node.inputs[0]!)
    const fused = storing.get(id)
    if (fused && output === 0 && readers.get(id) === 1 && !outputs.has(id) && !concats.has(id))
      prologues.set(st.node.id, fused)
  }
  return prologues
}
