import { isRows, parseRef } from '@cellgraph/graph'
import type { LevelPlan } from './kernelPlan.js'
import { featuresOf } from './planner.js'

/** Where a fused kernel also writes one of its members: columns [column, column + width) of a concat. */
export interface ConcatStore {
  readonly concat: string
  readonly column: number
}

/**
 * Concatenations a renderer need not run: every part is a value a fused kernel of the same level
 * stores, earlier in the plan, over rows like the concat's (the backward δ of an LSTM's four gates,
 * joined for one product). Each such kernel also writes its member into the member's columns of
 * the concat, so the concat is made as its parts are, with no kernel of its own (a kernel's
 * members all have its iteration space, so the extra store is element (r, j) too). Returns, by
 * member, the extra stores, and the concats they replace.
 */
export function concatStores(level: LevelPlan): {
  readonly stores: ReadonlyMap<string, readonly ConcatStore[]>
  readonly absorbed: ReadonlySet<string>
} {
  const stores = new Map<string, ConcatStore[]>()
  const absorbed = new Set<string>()
  const storedBefore = new Set<string>()
  for (const step of level.steps) {
    if (step.kind === 'fused') {
      for (const s of step.stores) if (isRows(step.type)) storedBefore.add(s.id)
      continue
    }
    if (step.kind !== 'call' || step.node.op !== 'concat') continue
    const { node } = step
    const out = level.types.of(node.id)
    const parts = node.inputs.map((r) => parseRef(r))
    const fits = parts.every(
      (p) => p.output === 0 && storedBefore.has(p.node) && level.types.of(p.node).layout === out.layout,
    )
    if (!fits || !isRows(out)) continue
    let column = 0
    for (const p of parts) {
      let list = stores.get(p.node)
      if (!list) stores.set(p.node, (list = []))
      list.push({ concat: node.id, column })
      column += featuresOf(level.types.of(p.node))
    }
    absorbed.add(node.id)
  }
  return { stores, absorbed }
}
