import { evaluate, lstm, type Tensor, tensor } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { workloadGraph } from '../src/model.js'
import { sgdTrainingGraph, updatedName } from '../src/training.js'
import { makeProblem } from '../src/workload.js'

const config = { name: 'tiny', batch: 2, steps: 4, input: 3, hidden: 4 }
const problem = makeProblem(lstm, config)
const { batch: B, steps: T, input: I, hidden: H } = config
const inputs = (params: Readonly<Record<string, Tensor>>) => ({
  x: tensor([T, B, I], problem.inputs(0, T)),
  h0: tensor([B, H]),
  c0: tensor([B, H]),
  R: tensor([T, B, H], problem.R),
  ...params,
})

describe('sgdTrainingGraph', () => {
  it('updates every parameter by −lr times a central finite difference of the loss', () => {
    const rate = 0.5
    const out = evaluate(sgdTrainingGraph(workloadGraph(problem.cell), rate), inputs(problem.params))
    const lossAt = (name: string, k: number, delta: number) => {
      const shifted = {
        ...problem.params,
        [name]: tensor(problem.params[name]!.dims, problem.params[name]!.data),
      }
      shifted[name]!.data[k]! += delta
      return evaluate(problem.graph, inputs(shifted)).loss!.data[0]!
    }
    const eps = 1e-6
    for (const name of ['i.W', 'f.b', 'g.b2', 'o.W']) {
      const p = problem.params[name]!
      const next = out[updatedName(name)]!
      expect(next.dims).toEqual(p.dims)
      for (const k of [0, p.data.length - 1]) {
        const numeric = (lossAt(name, k, eps) - lossAt(name, k, -eps)) / (2 * eps)
        expect(next.data[k]!).toBeCloseTo(p.data[k]! - rate * numeric, 6)
      }
    }
    expect(out.loss!.data[0]).toBeCloseTo(evaluate(problem.graph, inputs(problem.params)).loss!.data[0]!, 12)
  })
})
