import { builtinCells, type CellDefinition, type Graph, sequenceGraph, stackCells } from '@cellgraph/graph'
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { gradcheck } from '../src/index.js'
import { explain, linearFunctional, numRuns, randomInputs } from './support.js'

const TOLERANCE = 1e-5

/** Every leaf but the functional's weights: parameters, every input step and the initial states. */
const allLeaves = (graph: Graph): string[] =>
  graph.inputs.flatMap((id) => {
    const name = (graph.nodes.find((n) => n.id === id)!.attrs as { name: string }).name
    return name.startsWith('w.') ? [] : [name]
  })

function checkModel(model: Graph, steps: number, batch: number, seed: number) {
  const graph = linearFunctional(model)
  const inputs = randomInputs(graph, { steps, batch, seed })
  const report = gradcheck(graph, inputs, { loss: 'loss', wrt: allLeaves(graph) })
  const worst = Math.max(...Object.values(report).map((r) => r.error))
  if (!(worst < TOLERANCE)) throw new Error(explain(graph, JSON.stringify(report, null, 1)))
}

const sizes = fc.record({
  input: fc.integer({ min: 1, max: 3 }),
  hidden: fc.integer({ min: 1, max: 3 }),
  steps: fc.integer({ min: 1, max: 4 }),
  batch: fc.integer({ min: 1, max: 2 }),
  seed: fc.integer(),
})

describe('BPTT through the built-in cells matches central differences', () => {
  for (const [name, definition] of Object.entries(builtinCells) as [string, CellDefinition][]) {
    it(`${name}: every parameter, every input step and the initial states`, () => {
      fc.assert(
        fc.property(sizes, ({ input, hidden, steps, batch, seed }) =>
          checkModel(sequenceGraph([definition({ input, hidden })]), steps, batch, seed),
        ),
        { numRuns: numRuns(2) },
      )
    })
  }

  it('every built-in cell without biases (bias: false)', () => {
    fc.assert(
      fc.property(sizes, ({ input, hidden, steps, batch, seed }) => {
        for (const definition of Object.values(builtinCells))
          checkModel(sequenceGraph([definition({ input, hidden, bias: false })]), steps, batch, seed)
      }),
      { numRuns: numRuns(2) },
    )
  })

  for (const name of ['lstm', 'gru'])
    it(`a two-layer ${name} stack`, () => {
      fc.assert(
        fc.property(sizes, ({ input, hidden, steps, batch, seed }) =>
          checkModel(
            sequenceGraph(stackCells(builtinCells[name]!, { input, hidden, layers: 2 })),
            steps,
            batch,
            seed,
          ),
        ),
        { numRuns: numRuns(2) },
      )
    })
})
