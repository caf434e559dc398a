import { type Graph, nodeMap, runGraph, type Tensor, tensor, verify } from '@cellgraph/graph'
import { expect } from 'vitest'
import { packTensor } from '../../src/passes/packs.js'
import type { Program } from '../../src/passes/program.js'
import { randomInputs } from '../support/run.js'

/** Runs a program in the float64 reference interpreter, assembling its weight packs first. */
export function runProgram(program: Program, byName: Readonly<Record<string, Tensor>>): Tensor[] {
  const byId = nodeMap(program.graph)
  const packed = Object.fromEntries(program.packs.map((p) => [p.leaf, packTensor(p, byName)]))
  const values = program.graph.inputs.map((id) => {
    const name = (byId.get(id)!.attrs as { name: string }).name
    return packed[name] ?? byName[name]!
  })
  return runGraph(program.graph, values)
}

/**
 * Checks a rewrite: the result verifies and computes the same outputs as the input, in float64
 * (to 1e-9: a pass reorders sums, so bit equality is not expected).
 */
export function expectSameFunction(before: Program, after: Program, batch = 2, steps = 3) {
  verify(after.graph)
  const inputs = randomInputs(before.graph, batch, steps, 3)
  const byName = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tensor(v.dims, v.data)]))
  const want = runProgram(before, byName)
  const got = runProgram(after, byName)
  expect(got.length).toBe(want.length)
  want.forEach((w, k) => {
    expect(got[k]!.dims).toEqual(w.dims)
    w.data.forEach((v, i) =>
      expect(Math.abs(got[k]!.data[i]! - v), `output ${k} element ${i}`).toBeLessThan(1e-9),
    )
  })
}

export const program = (graph: Graph, packs: Program['packs'] = []): Program => ({ graph, packs })

/** The body of the first scan of a graph. */
export function firstScanBody(graph: Graph): Graph {
  const scan = graph.nodes.find((n) => n.op === 'scan')
  if (!scan) throw new Error('no scan')
  return (scan.attrs as { body: Graph }).body
}

export const countOps = (graph: Graph, op: string) => graph.nodes.filter((n) => n.op === op).length
