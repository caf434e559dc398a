import { runGraph, type Tensor, verify } from '@cellgraph/graph'
import {
  backwardCase,
  cellCaseArb,
  forwardCase,
  type GraphCase,
  propertyParameters,
} from '@cellgraph/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runPasses } from '../../src/passes/pipeline.js'
import type { Program } from '../../src/passes/program.js'
import { runProgram } from './support.js'

/**
 * The whole pipeline on random cells from the shared generator, forward and backward: after every
 * pass the program verifies and computes what the input graph computes (float64, to 1e-9 of the
 * output's scale).
 */
function checkEveryPass(c: GraphCase) {
  const want = runGraph(c.graph, c.inputs)
  const byName: Record<string, Tensor> = {}
  const byId = new Map(c.graph.nodes.map((n) => [n.id, n]))
  c.graph.inputs.forEach((id, k) => {
    byName[(byId.get(id)!.attrs as { name: string }).name] = c.inputs[k]!
  })
  const seen: string[] = []
  runPasses(c.graph, {
    check: (pass: string, program: Program) => {
      seen.push(pass)
      verify(program.graph)
      const got = runProgram(program, byName)
      want.forEach((w, k) => {
        const scale = Math.max(1, ...Array.from(w.data, Math.abs))
        w.data.forEach((v, i) => {
          if (!(Math.abs(got[k]!.data[i]! - v) <= 1e-9 * scale))
            throw new Error(
              `${c.name}: after ${pass}, output ${k} element ${i} is ${got[k]!.data[i]}, want ${v}`,
            )
        })
      })
    },
  })
  expect(seen.length).toBeGreaterThan(5)
}

describe('the pass pipeline on random cells', () => {
  for (const [direction, toCase] of [
    ['forward', forwardCase],
    ['backward', backwardCase],
  ] as const)
    it(`keeps every random cell's function after every pass: ${direction}`, {
      timeout: 120_000,
    }, async () => {
      await fc.assert(
        fc.property(cellCaseArb(), (c) => checkEveryPass(toCase(c))),
        propertyParameters(12),
      )
    })
})
