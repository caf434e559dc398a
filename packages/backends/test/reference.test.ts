import { lstm, sequenceGraph } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { referenceBackend } from '../src/index.js'

describe('reference backend', () => {
  it('runs a sequence model and writes outputs into caller tensors', async () => {
    const backend = referenceBackend()
    const graph = sequenceGraph([lstm({ input: 2, hidden: 3 })])
    const exe = await backend.compile(graph)
    const inputs: Record<string, ReturnType<typeof backend.upload>> = {}
    for (const id of graph.inputs) {
      const n = graph.nodes.find((m) => m.id === id)!
      const a = n.attrs as { name: string; shape?: number[]; type?: { layout: string; shape: number[] } }
      const dims = a.shape ?? (a.type!.layout === 'seq' ? [4, 2, a.type!.shape[0]!] : [2, a.type!.shape[0]!])
      const size = dims.reduce((x, y) => x * y, 1)
      inputs[a.name] = backend.upload({
        dims,
        data: Array.from({ length: size }, (_, i) => Math.cos(i) * 0.5),
      })
    }
    const target = backend.upload({ dims: [2, 3], data: new Array(6).fill(0) })
    const out = await exe.run(inputs, { into: { 'l0.h': target } })
    expect(out['l0.h']).toBe(target)
    const y = await out.y!.read()
    const h = await target.read()
    expect(Array.from(h)).toEqual(Array.from(y.subarray(3 * 6, 4 * 6))) // final h is the last step's output
    expect(() => target.write([1, 2])).toThrow(/write of 2 values/)
  })
})
