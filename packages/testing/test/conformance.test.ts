import { lstm } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import {
  backwardCase,
  builtinModelCases,
  CONFORMANCE_TOLERANCE,
  describeConformance,
  forwardCase,
  graphMismatch,
  sequenceModel,
} from '../src/index.js'
import { interpreterBackend } from './interpreterBackend.js'

// The interpreter must agree with itself exactly, through uploads, runs and reads.
describeConformance('float64 interpreter', () => interpreterBackend(), { exact: true })

// Rounding every output to float32 is the least error a float32 backend makes: within tolerance.
describeConformance('interpreter, outputs rounded to float32', () =>
  interpreterBackend((_, data) => Float64Array.from(data, Math.fround)),
)

describe('the conformance check', () => {
  const lstmCase = builtinModelCases().find((c) => c.name === 'lstm, saturated')!
  const check = (corrupt: Parameters<typeof interpreterBackend>[0], backward = false) =>
    graphMismatch(
      interpreterBackend(corrupt),
      backward ? backwardCase(lstmCase) : forwardCase(lstmCase),
      CONFORMANCE_TOLERANCE,
    )

  it('reports an element off by 1% of the output scale, naming the output and element', async () => {
    const problem = await check((name, data) => {
      if (name === 'y') data[5] = data[5]! + 0.01 * Math.max(...data.map(Math.abs))
      return data
    })
    expect(problem).toMatch(/forward: output 'y'\[5\]: got .*, reference/)
  })

  it('reports a wrong gradient, a missing output and NaN', async () => {
    expect(
      await check(
        (name, data) => (name === 'grad.l0.i.W' ? data.map((v, i) => (i === 0 ? -v : v)) : data),
        true,
      ),
    ).toMatch(/output 'grad.l0.i.W'\[0\]/)
    expect(await check((name, data) => (name === 'loss' ? undefined : data))).toMatch(/no output 'loss'/)
    expect(await check((name, data) => (name === 'l0.c' ? data.fill(Number.NaN) : data))).toMatch(
      /output 'l0.c'\[0\]: got NaN/,
    )
  })

  it('covers every built-in cell and a two-layer stack, with and without saturation', () => {
    const names = builtinModelCases().map((c) => c.name)
    for (const cell of [
      'rnn',
      'lstm',
      'peepholeLstm',
      'coupledLstm',
      'gru',
      'seedGru',
      'two-layer lstm stack',
      'two-layer bidirectional gru with lengths',
      'two-layer reverse lstm',
      'clipped gru',
      'bias-free lstm',
    ])
      expect(names).toEqual(expect.arrayContaining([cell, `${cell}, saturated`]))
    const stack = builtinModelCases().find((c) => c.name === 'two-layer lstm stack')!
    expect(stack.model.graph.nodes.filter((n) => n.op === 'scan')).toHaveLength(2)
    expect(sequenceModel([lstm({ input: 3, hidden: 4 })]).graph.outputs.map((o) => o.name)).toEqual([
      'y',
      'l0.h',
      'l0.c',
      'loss',
    ])
  })
})
