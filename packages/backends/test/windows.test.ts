import {
  checkpointedWindows,
  runWindows,
  runWindowsSync,
  truncatedWindows,
  type WindowedResult,
  withLoss,
} from '@cellgraph/autodiff'
import { add, gru, lstm, mul, sequenceGraph, sumAll, type Tensor, tensor } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { cpuBackend } from '../src/cpu/cpuBackend.js'
import { hostRunner } from '../src/hostRun.js'
import { randomInputs } from './support/run.js'
import { firstMismatch } from './support/tolerance.js'

const graphOf = (cell: typeof lstm) =>
  withLoss(sequenceGraph([cell({ input: 2, hidden: 3 })]), ({ y }, b) => {
    const w = b.leaf('input', 'w', { name: 'w', type: y!.type })
    return sumAll(mul(add(y!, w), y!))
  })

const agree = (ours: WindowedResult, oracle: WindowedResult) => {
  expect(firstMismatch([ours.value], [oracle.value])).toBeUndefined()
  expect(Object.keys(ours.grads).sort()).toEqual(Object.keys(oracle.grads).sort())
  for (const [name, g] of Object.entries(oracle.grads))
    expect(firstMismatch(ours.grads[name]!.data, g.data), name).toBeUndefined()
}

describe('windowed gradients on a compiled backend', () => {
  for (const [name, cell] of [
    ['lstm', lstm],
    ['gru', gru],
  ] as const)
    it(`truncated BPTT and checkpointing on cpu-js agree with the reference (${name})`, async () => {
      const graph = graphOf(cell)
      const inputs: Record<string, Tensor> = Object.fromEntries(
        Object.entries(randomInputs(graph, 2, 7, 3)).map(([n, t]) => [
          n,
          tensor(t.dims, Float64Array.from(t.data)),
        ]),
      )
      const wrt = Object.keys(inputs).filter((n) => n !== 'w')
      const options = { loss: 'loss', wrt, window: 3 }
      const runner = hostRunner(cpuBackend())
      for (const windows of [truncatedWindows, checkpointedWindows]) {
        const oracle = runWindowsSync(windows(graph, inputs, options))
        agree(await runWindows(windows(graph, inputs, options), runner.run), oracle)
      }
      runner.dispose()
    })
})
