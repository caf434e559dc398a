import { documentLimits, type Graph, GraphBuilder, GraphError } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { sharedBackend } from '../src/index.js'

/** A scan body (carry `c` [T,B,1], step `x` [B,1]) that runs a scan over its carry, made by the builder. */
function oneLevel(): Graph {
  const inner = new GraphBuilder()
  const c0 = inner.leaf('input', 'c', { name: 'c', type: { layout: 'seq', shape: [1] } })
  const x0 = inner.leaf('input', 'x', { name: 'x', type: { layout: 'batch', shape: [1] } })
  const body = inner.build([
    { name: 'c', value: c0 },
    { name: 'y', value: x0 },
  ])
  const b = new GraphBuilder()
  const c = b.leaf('input', 'c', { name: 'c', type: { layout: 'seq', shape: [1] } })
  const x = b.leaf('input', 'x', { name: 'x', type: { layout: 'batch', shape: [1] } })
  const [carry] = b.apply('scan', [c, c], { body, carries: 1, sequences: 1, reverse: false })
  return b.build([
    { name: 'c', value: carry! },
    { name: 'y', value: x },
  ])
}

/** `level` with its scan's body swapped for `inner`: nesting no builder would make. */
const nest = (level: Graph, inner: Graph): Graph => ({
  ...level,
  nodes: level.nodes.map((n) => (n.op === 'scan' ? { ...n, attrs: { ...n.attrs, body: inner } } : n)),
})

describe('graphs made by hand', () => {
  it('10^4 nested scans: compile names the scan past the limit, no stack overflow', async () => {
    const level = oneLevel()
    let graph = level
    for (let k = 0; k < 10_000; k++) graph = nest(level, graph)
    const backend = await sharedBackend('cpu-js')
    const error = await backend.compile(graph).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GraphError)
    expect((error as Error).message).toMatch(`scans nest more than ${documentLimits.scanDepth} deep`)
  })
})
