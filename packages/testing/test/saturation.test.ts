import { type Graph, type OpName, runGraph } from '@cellgraph/graph'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cellCaseArb, graphInputs } from '../src/index.js'

/** The ops whose float32 implementations break first on large arguments. */
const transcendental: readonly OpName[] = ['sigmoid', 'tanh', 'exp', 'log', 'sqrt', 'rsqrt', 'softmax']

/** The cell graph with every node's value as an output, so one step can be inspected. */
const exposeAll = (g: Graph): Graph => ({
  ...g,
  outputs: g.nodes.map((n) => ({ name: n.id, ref: n.id })),
})

describe('saturated values', () => {
  it('reach every transcendental op with arguments of magnitude up to ~50', () => {
    const largest = new Map<OpName, number>(transcendental.map((op) => [op, 0]))
    for (const c of fc.sample(cellCaseArb(), { numRuns: 200, seed: 5 })) {
      if (c.draw.saturation === 0) continue
      const g = exposeAll(c.cell.graph)
      const inputs = graphInputs(g, { batch: c.batch, steps: 1, saturation: c.draw.saturation }, c.draw.seed)
      const values = new Map(runGraph(g, inputs).map((t, i) => [g.outputs[i]!.name, t]))
      for (const n of g.nodes) {
        if (!largest.has(n.op)) continue
        const arg = values.get(n.inputs[0]!)!
        const m = arg.data.reduce((a, v) => Math.max(a, Math.abs(v)), 0)
        largest.set(n.op, Math.max(largest.get(n.op)!, m))
      }
    }
    for (const op of transcendental) expect(largest.get(op), op).toBeGreaterThan(30)
  })
})
