import {
  builtinCells,
  type Graph,
  GraphBuilder,
  lstm,
  mul,
  sequenceGraph,
  sumRows,
  tanh,
  verify,
} from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { runPasses } from '../../src/passes/pipeline.js'
import { fusePointwise, isFusable, printFusion } from '../../src/plan/fusion.js'
import { embeddedInput, twoConcats } from '../support/cells.js'
import { trainingGraph } from '../support/gradGraphs.js'

const loopBodies = (g: Graph) =>
  g.nodes.filter((n) => n.op === 'scan').map((n) => (n.attrs as { body: Graph }).body)

describe('fusePointwise', () => {
  const cells = { ...builtinCells, embedded_input: embeddedInput, two_concats: twoConcats }
  for (const [name, cell] of Object.entries(cells))
    it(`fuses ${name}'s pointwise work per step into one kernel per iteration space, forward and backward`, () => {
      const { graph } = runPasses(trainingGraph(sequenceGraph([cell({ input: 3, hidden: 4 })])))
      for (const body of loopBodies(graph)) {
        const types = verify(body)
        const kernels = fusePointwise(body, types)
        const fusable = body.nodes.filter(isFusable)
        // Every elementwise node is in exactly one kernel, and there is one kernel per type, except
        // where a product in between forces a split (the seed GRU's r*h, two_concats' z*c).
        expect(kernels.flatMap((k) => k.members.map((m) => m.id)).sort()).toEqual(
          fusable.map((m) => m.id).sort(),
        )
        const spaces = new Set(kernels.map((k) => JSON.stringify(k.type)))
        const products = body.nodes.filter((n) => n.op === 'matmul').length
        expect(kernels.length).toBeLessThanOrEqual(spaces.size + products)
      }
    })

  it('never moves a value past a reader outside its kernel', () => {
    // t = tanh(x) is read by sumRows (not fusable) before u = t*t: fusing t into u's kernel,
    // which runs at u, would run sumRows on a value not yet computed.
    const b = new GraphBuilder()
    const x = b.leaf('input', 'x', { name: 'x', type: { layout: 'batch', shape: [3] } })
    const t = tanh(x)
    const s = sumRows(t)
    const g = b.build([
      { name: 's', value: s },
      { name: 'u', value: mul(t, t) },
    ])
    const kernels = fusePointwise(g, verify(g))
    expect(kernels.map((k) => k.members.length).sort()).toEqual([1, 1])
  })

  it('prints the fused kernels of the LSTM forward step', () => {
    const { graph } = runPasses(sequenceGraph([lstm({ input: 2, hidden: 3 })]))
    const body = loopBodies(graph)[0]!
    const kernels = fusePointwise(body, verify(body))
    expect(kernels).toHaveLength(1)
    expect(printFusion(kernels)).toMatchSnapshot()
  })
})
