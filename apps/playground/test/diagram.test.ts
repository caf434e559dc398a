import { builtinCells, gru, lstm, printGraph } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { layoutDiagram } from '../src/diagram/layout.js'
import { diagramOf, nodeDetails } from '../src/diagram/model.js'

const sizes = { input: 3, hidden: 4 }
const kinds = (cell: ReturnType<typeof lstm>) => {
  const counts: Record<string, number> = {}
  for (const n of diagramOf(cell).nodes) counts[n.kind] = (counts[n.kind] ?? 0) + 1
  return counts
}

describe('the cell diagram', () => {
  it('draws the LSTM as the seed does: four layer boxes, pointwise circles, one merge, forks', () => {
    const model = diagramOf(lstm(sizes))
    expect(kinds(lstm(sizes))).toEqual({
      'state-in': 2,
      input: 1,
      merge: 1, // [h, x]
      layer: 4,
      pointwise: 5, // f*c, i*g, +, tanh, o*
      'state-out': 2,
      output: 1,
      fork: 3, // hx to four gates, c' to tanh and out, h' to out and output
    })
    // Parameters are inside their layer boxes, not drawn.
    expect(model.nodes.some((n) => n.label.includes('.W'))).toBe(false)
    // The state lines run through the module: c through f*c and the sum to c′; h through the
    // merge, the o gate and o*tanh(c′) to h′.
    const line = (from: string) => {
      const path = [from]
      for (
        let e = model.edges.find((x) => x.state && x.from === from);
        e;
        e = model.edges.find((x) => x.state && x.from === e!.to)
      )
        path.push(e.to)
      return path
    }
    expect(line('c')).toEqual(['c', 'mul1', 'c_next', 'fork:c_next', 'out:c'])
    expect(line('h')).toEqual(['h', 'hx', 'fork:hx', 'o', 'h_next', 'fork:h_next', 'out:h'])
  })

  it('forks a value read by several ops (the GRU reads h three times)', () => {
    const model = diagramOf(gru(sizes))
    const fork = model.edges.filter((e) => e.from === 'fork:h').map((e) => e.to)
    expect(fork.sort()).toEqual(['hx', 'mul3', 'n_h'])
  })

  it('lays out every built-in cell with every edge routed', () => {
    for (const [name, definition] of Object.entries(builtinCells)) {
      const layout = layoutDiagram(diagramOf(definition(sizes)))
      expect(layout.width, name).toBeGreaterThan(0)
      for (const e of layout.edges) expect(e.points.length, `${name} ${e.from}->${e.to}`).toBeGreaterThan(1)
      // States enter left of where they leave.
      const at = (id: string) => layout.nodes.find((n) => n.id === id)!.x
      expect(at('h'), name).toBeLessThan(at('out:h'))
    }
  })

  it('shows a node as its shape and its printed line', () => {
    const cell = lstm(sizes)
    const details = nodeDetails(cell.graph, printGraph(cell.graph, cell.name), 'c_next')
    expect(details).toEqual({ shape: '[B,4]', line: '%c_next = add %mul1, %mul2 : [B,4]', params: [] })
    // A layer's box holds its parameters.
    expect(nodeDetails(cell.graph, printGraph(cell.graph, cell.name), 'f').params).toEqual([
      '%f.W [4x7]',
      '%f.b [4]',
      '%f.b2 [4]',
    ])
  })
})
