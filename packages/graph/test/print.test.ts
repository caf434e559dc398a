import { describe, expect, it } from 'vitest'
import { builtinCells, printGraph, sequenceGraph, stackCells } from '../src/index.js'

describe('printGraph', () => {
  for (const [name, definition] of Object.entries(builtinCells)) {
    it(`prints the ${name} cell one node a line`, async () => {
      const text = printGraph(definition({ input: 3, hidden: 4 }).graph, name)
      await expect(text).toMatchFileSnapshot(`__snapshots__/${name}.txt`)
    })
  }

  it('prints a two-layer stack with each scan body indented under its scan', async () => {
    const text = printGraph(
      sequenceGraph(stackCells(builtinCells.gru!, { input: 2, hidden: 3, layers: 2 })),
      'model',
    )
    await expect(text).toMatchFileSnapshot('__snapshots__/gru-stack.txt')
    expect(text).toMatch(/^ {2}%l1, %l1:1 = scan\{carries=1, sequences=1, reverse=false\} %l1\.h0, %l0:1,/m)
  })
})
