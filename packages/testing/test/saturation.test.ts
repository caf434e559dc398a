import { type Graph, type OpName, runGraph, type Tensor } from '@cellgraph/graph'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cellCaseArb, DOMAIN_MARGIN, EXP_LIMIT, graphInputs } from '../src/index.js'

/** The ops whose float32 implementations break first on large arguments. */
const transcendental: readonly OpName[] = ['sigmoid', 'tanh', 'exp', 'log', 'sqrt', 'rsqrt', 'softmax']

/** The cell graph with every node's value as an output, so one step can be inspected. */
const exposeAll = (g: Graph): Graph => ({
  ...g,
  outputs: g.nodes.map((n) => ({ name: n.id, ref: n.id })),
})

/** Every node of every sampled cell, with the values of its inputs over one step. */
function* nodeArguments(numRuns: number) {
  for (const c of fc.sample(cellCaseArb(), { numRuns, seed: 5 })) {
    const g = exposeAll(c.cell.graph)
    const inputs = graphInputs(g, { batch: c.batch, steps: 1, saturation: c.draw.saturation }, c.draw.seed)
    const values = new Map(runGraph(g, inputs).map((t, i) => [g.outputs[i]!.name, t]))
    for (const n of g.nodes) yield { op: n.op, args: n.inputs.map((r) => values.get(r)!) as Tensor[] }
  }
}

const extremes = (t: Tensor) => ({ lo: Math.min(...t.data), hi: Math.max(...t.data) })

describe('generated values', () => {
  const seen = [...nodeArguments(200)]

  it('reach every transcendental op with arguments of magnitude up to ~50', () => {
    for (const op of transcendental) {
      const largest = Math.max(
        ...seen
          .filter((n) => n.op === op)
          .map((n) => n.args[0]!.data.reduce((a, v) => Math.max(a, Math.abs(v)), 0)),
      )
      expect(largest, op).toBeGreaterThan(30)
    }
  })

  it('keep log, sqrt, rsqrt and divisors positive and exp finite in float32, by construction', () => {
    for (const { op, args } of seen) {
      if (op === 'log' || op === 'sqrt' || op === 'rsqrt')
        expect(extremes(args[0]!).lo).toBeGreaterThanOrEqual(DOMAIN_MARGIN)
      if (op === 'div') expect(extremes(args[1]!).lo).toBeGreaterThanOrEqual(DOMAIN_MARGIN)
      if (op === 'exp') expect(extremes(args[0]!).hi).toBeLessThanOrEqual(EXP_LIMIT)
    }
    expect(seen.filter((n) => n.op === 'div').length).toBeGreaterThan(10)
  })
})
