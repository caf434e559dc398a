import { type Graph, printGraph, verify } from '@cellgraph/graph'
import { deferRowReductions } from './deferRowReductions.js'
import { eliminateCommonSubexpressions } from './eliminateCommonSubexpressions.js'
import { hoistInvariants } from './hoistInvariants.js'
import { lowerLayers } from './lowerLayers.js'
import { mergeProducts } from './mergeProducts.js'
import { type Program, printPack } from './program.js'
import { removeDeadCode } from './removeDeadCode.js'
import { sinkSequenceSlices } from './sinkSequenceSlices.js'
import { splitProducts } from './splitProducts.js'

/** One named pass of the pipeline: a program in, an equivalent program out. */
export interface Pass {
  readonly name: string
  readonly run: (program: Program) => Program
}

const onGraph = (name: string, f: (g: Graph) => Graph): Pass => ({
  name,
  run: (p) => ({ ...p, graph: f(p.graph) }),
})

/** The passes every compiled backend runs, in order. */
export const passes: readonly Pass[] = [
  onGraph('lowerLayers', lowerLayers),
  onGraph('splitProducts', splitProducts),
  onGraph('hoistInvariants', (g) => removeDeadCode(hoistInvariants(g))),
  onGraph('deferRowReductions', (g) => removeDeadCode(deferRowReductions(g))),
  {
    name: 'mergeProducts',
    run: (p) => {
      const merged = mergeProducts(p)
      return { ...merged, graph: removeDeadCode(merged.graph) }
    },
  },
  onGraph('sinkSequenceSlices', (g) => removeDeadCode(sinkSequenceSlices(g))),
  onGraph('eliminateCommonSubexpressions', (g) => removeDeadCode(eliminateCommonSubexpressions(g))),
]

/** A program as text: its weight packs, then its graph. */
export function printProgram(program: Program, name = 'graph'): string {
  return [...program.packs.map(printPack), printGraph(program.graph, name)].join('\n')
}

/**
 * Runs the pass pipeline on a graph. `trace` receives the program after each pass; `check` runs
 * after each pass too (tests pass the verifier and the reference interpreter here).
 */
export function runPasses(
  graph: Graph,
  options: {
    readonly passes?: readonly Pass[]
    readonly trace?: (stage: string, text: string) => void
    readonly check?: (pass: string, program: Program) => void
  } = {},
): Program {
  // The passes walk scan bodies recursively: a graph made by hand (not by the builder, which
  // verifies) is checked first, so one nested too deep is a named error, not a stack overflow.
  verify(graph)
  let program: Program = { graph, packs: [] }
  options.trace?.('input', printProgram(program))
  for (const pass of options.passes ?? passes) {
    program = pass.run(program)
    options.check?.(pass.name, program)
    options.trace?.(pass.name, printProgram(program))
  }
  return program
}
