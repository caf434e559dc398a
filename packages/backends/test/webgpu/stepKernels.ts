import { bodyKernels, concatStores, type LevelPlan, loopPlaces } from '../../src/index.js'

/** A kernel of a scan body as the plan has it, or the copy of a body output nothing writes in place. */
export type StepKernel = ReturnType<typeof bodyKernels>[number] | { readonly kind: 'copy' }

/**
 * The kernels one time step adds, from the kernel plan alone: the kernels of each scan body
 * (`bodyKernels`: each product with its tail, each row group with its products one kernel),
 * leaving out rowCount (a constant), concats that fused kernels write as they make their parts
 * (`concatStores`) and those moved after the loop (`loopPlaces().hoisted`); plus one copy for
 * each body output nothing writes in place (`loopPlaces().copies`).
 */
export function stepKernels(level: LevelPlan): StepKernel[] {
  return level.steps.flatMap((st): StepKernel[] => {
    if (st.kind !== 'loop') return []
    const { absorbed } = concatStores(st.body)
    const { hoisted, copies } = loopPlaces(st.node)
    const kernels = bodyKernels(st.body, new Set([...absorbed, ...hoisted]))
    const runs = (b: (typeof kernels)[number]) => b.kind !== 'call' || b.node.op !== 'rowCount'
    return [...kernels.filter(runs), ...copies.map(() => ({ kind: 'copy' }) as const)]
  })
}
