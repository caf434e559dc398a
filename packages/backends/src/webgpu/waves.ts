import { parseRef } from '@cellgraph/graph'
import type { Step } from '../plan/kernelPlan.js'
import type { RowGroup } from '../plan/rowGroups.js'

type TopStep = Step | RowGroup

/** The nodes whose values a step makes. */
function made(step: TopStep): string[] {
  if (step.kind === 'fused') return step.members.map((m) => m.id)
  if (step.kind === 'rows') return step.steps.flatMap(made)
  return [step.node.id]
}

/** The nodes whose values a step reads. */
function read(step: TopStep): string[] {
  if (step.kind === 'fused') return step.operands.map((o) => parseRef(o.ref).node)
  if (step.kind === 'rows') return step.steps.flatMap(read)
  return step.node.inputs.map((r) => parseRef(r).node)
}

/**
 * The steps of a level outside scans in waves: each step in the wave after the latest wave that
 * makes something it reads (as soon as possible), the plan's order kept within a wave. The steps of
 * a wave are independent, so a renderer may run them in any order or together. `through` maps
 * the values no step of `steps` makes to what reading them reads: a concat no kernel runs, its
 * parts (their kernels write it); a sum's prologue value, its fused kernel's operands. Every value
 * outside scans has memory of its own, so moving a step earlier overwrites nothing.
 */
export function waves<S extends TopStep>(
  steps: readonly S[],
  through: ReadonlyMap<string, readonly string[]>,
): S[][] {
  const waveOf = new Map<string, number>()
  const dependsOn = (id: string): number => {
    const refs = through.get(id)
    if (refs) return Math.max(-1, ...refs.map((r) => dependsOn(parseRef(r).node)))
    return waveOf.get(id) ?? -1
  }
  const out: S[][] = []
  for (const step of steps) {
    const wave = 1 + Math.max(-1, ...read(step).map(dependsOn))
    for (const id of made(step)) waveOf.set(id, wave)
    ;(out[wave] ??= []).push(step)
  }
  return out
}
