import { documentLimits, type Graph, GraphError } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { sharedBackend } from '../src/index.js'

const seq = { layout: 'seq', shape: [1] } as const
const batch = { layout: 'batch', shape: [1] } as const

/** A scan body (carry `c` [T,B,1], step `x` [B,1]) running a scan with `inner` as its body. */
const level = (inner: Graph | undefined): Graph =>
  ({
    inputs: ['c', 'x'],
    nodes: [
      { id: 'c', op: 'input', inputs: [], attrs: { name: 'c', type: seq } },
      { id: 'x', op: 'input', inputs: [], attrs: { name: 'x', type: batch } },
      ...(inner
        ? [
            {
              id: 's',
              op: 'scan',
              inputs: ['c', 'c'],
              attrs: { body: inner, carries: 1, sequences: 1, reverse: false },
            },
          ]
        : []),
    ],
    outputs: [
      { name: 'c', ref: inner ? 's' : 'c' },
      { name: 'y', ref: 'x' },
    ],
  }) as Graph

describe('graphs made by hand', () => {
  it('10^4 nested scans: compile names the scan past the limit, no stack overflow', async () => {
    let graph: Graph | undefined
    for (let k = 0; k < 10_000; k++) graph = level(graph)
    const backend = await sharedBackend('cpu-js')
    const error = await backend.compile(graph!).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GraphError)
    expect((error as Error).message).toMatch(`scans nest more than ${documentLimits.scanDepth} deep`)
  })
})
