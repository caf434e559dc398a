import { builtinCells, printGraph, sequenceGraph } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { lowerLayers } from '../../src/passes/lowerLayers.js'
import { splitProducts } from '../../src/passes/splitProducts.js'
import { embeddedInput, squashedInput, twoConcats } from '../support/cells.js'
import { expectSameFunction, firstScanBody, program } from './support.js'

const cells = {
  ...builtinCells,
  embedded_input: embeddedInput,
  squashed_input: squashedInput,
  two_concats: twoConcats,
}

describe('splitProducts', () => {
  for (const [name, cell] of Object.entries(cells))
    it(`splits every product over a concatenation in ${name}`, () => {
      const g = lowerLayers(sequenceGraph([cell({ input: 3, hidden: 4 })]))
      const after = splitProducts(g)
      expectSameFunction(program(g), program(after))
      const body = firstScanBody(after)
      const concatFed = body.nodes.filter(
        (n) => n.op === 'matmul' && body.nodes.find((m) => m.id === n.inputs[0])?.op === 'concat',
      )
      expect(concatFed).toEqual([])
    })

  it('pushes a slice of δ·W into the weight columns', async () => {
    const { GraphBuilder, matmul, slice } = await import('@cellgraph/graph')
    const b = new GraphBuilder()
    const d = b.leaf('input', 'd', { name: 'd', type: { layout: 'batch', shape: [3] } })
    const w = b.leaf('param', 'W', { name: 'W', shape: [3, 5] })
    const g = b.build([{ name: 'dh', value: slice(matmul(d, w), 1, 4) }])
    const after = splitProducts(g)
    expectSameFunction(program(g), program(after))
    expect(printGraph(after)).toContain('%slice1 = matmul{transposeB=false} %d, %slice1.w : [B,3]')
  })

  it('prints the seed GRU before and after', () => {
    const g = lowerLayers(builtinCells.seed_gru!({ input: 2, hidden: 3 }).graph)
    expect(`${printGraph(g, 'before')}\n${printGraph(splitProducts(g), 'after')}`).toMatchSnapshot()
  })
})
