import { describe, expect, it } from 'vitest'
import {
  documentLimits,
  type Graph,
  GraphBuilder,
  GraphError,
  graphFromJson,
  graphToJson,
  verify,
} from '../src/index.js'

const seq = { layout: 'seq', shape: [1] } as const
const batch = { layout: 'batch', shape: [1] } as const

/**
 * A scan body that runs a scan over its carry with `inner` as that scan's body (`scans` of them,
 * all sharing it), or none for `inner` undefined: carry `c` [T,B,1] (a whole sequence), step `x`
 * [B,1]. Every level binds the same types, so bodies nest to any depth.
 */
function level(inner: Graph | undefined, scans = 1): Graph {
  const b = new GraphBuilder()
  const c = b.leaf('input', 'c', { name: 'c', type: seq })
  const x = b.leaf('input', 'x', { name: 'x', type: batch })
  let carry = c
  for (let k = 0; k < (inner ? scans : 0); k++)
    carry = b.apply('scan', [carry, c], { body: inner!, carries: 1, sequences: 1, reverse: false })[0]!
  return b.build([
    { name: 'c', value: carry },
    { name: 'y', value: x },
  ])
}

/** The same nesting as plain data, made without the builder (so nothing verifies it on the way). */
function plainLevel(inner: Graph | undefined): Graph {
  return {
    inputs: ['c', 'x'],
    nodes: [
      { id: 'c', op: 'input', inputs: [], attrs: { name: 'c', type: seq } },
      { id: 'x', op: 'input', inputs: [], attrs: { name: 'x', type: batch } },
      ...(inner
        ? [
            {
              id: 's',
              op: 'scan' as const,
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
  } as Graph
}

const tooDeep = new RegExp(`: scans nest more than ${documentLimits.scanDepth} deep$`)

describe('deeply nested scans made by a program', () => {
  it('the builder nests scans up to the limit, then names the scan past it (10^4 levels tried)', () => {
    let body: Graph | undefined
    let error: unknown
    let levels = 0
    try {
      for (; levels < 10_000; levels++) body = level(body)
    } catch (e) {
      error = e
    }
    // Level 0 has no scan; level k nests k scans deep.
    expect(levels).toBe(documentLimits.scanDepth + 1)
    expect(error).toBeInstanceOf(GraphError)
    expect((error as Error).message).toMatch(tooDeep)
    expect(() => verify(body!)).not.toThrow()
  })

  it('verify refuses 10^4 levels of plain data with the same error, not a stack overflow', () => {
    let body: Graph | undefined
    for (let k = 0; k < 10_000; k++) body = plainLevel(body)
    expect(() => verify(body!)).toThrow(GraphError)
    expect(() => verify(body!)).toThrow(tooDeep)
    expect(() => graphToJson(body!)).toThrow(
      `scans nest more than ${documentLimits.scanDepth} deep: the graph cannot be written`,
    )
    let atLimit: Graph | undefined
    for (let k = 0; k <= documentLimits.scanDepth; k++) atLimit = plainLevel(atLimit)
    expect(graphFromJson(graphToJson(atLimit!))).toEqual(atLimit)
  })

  it('a body that contains itself is refused at the limit', () => {
    const graph = plainLevel(plainLevel(undefined))
    const scan = graph.nodes[2]! as { attrs: { body: Graph } }
    scan.attrs.body = graph
    expect(() => verify(graph)).toThrow(tooDeep)
  })

  it('a body shared by several scans is verified once: 2 scans a level, 40 levels deep', () => {
    let body: Graph | undefined
    for (let k = 0; k <= 40; k++) body = level(body, 2)
    expect(verify(body!).byNode.size).toBe(4)
    // Shared at every depth, a body still counts its own nesting where it is used again.
    const deep = level(level(body, 2), 2)
    let past = level(deep, 1)
    for (let k = 0; k < documentLimits.scanDepth - 43; k++) past = level(past, 1)
    expect(() => level(past, 1)).toThrow(tooDeep)
  })

  it('a body that is not a graph is a named error', () => {
    const graph = plainLevel(plainLevel(undefined))
    ;(graph.nodes[2]! as { attrs: { body: unknown } }).attrs.body = { nodes: 'x' }
    expect(() => verify(graph)).toThrow('scan %s body: a graph needs the arrays inputs, nodes and outputs')
  })
})

describe('long graphs', () => {
  it('a cycle through 10^5 nodes is found without recursion and printed short', () => {
    const n = 100_000
    const nodes = [
      { id: 'x', op: 'input', inputs: [], attrs: { name: 'x', type: batch } },
      ...Array.from({ length: n }, (_, i) => ({
        id: `n${i}`,
        op: 'neg',
        inputs: [`n${(i + 1) % n}`],
        attrs: {},
      })),
    ]
    const graph = { inputs: ['x'], nodes, outputs: [{ name: 'y', ref: 'n0' }] } as Graph
    const ends = (ids: number[]) => ids.map((i) => `%n${i}`).join(' -> ')
    expect(() => verify(graph)).toThrow(
      `cycle outside a scan: ${ends([0, 1, 2, 3, 4, 5])} -> ... (${n + 1 - 12} more) -> ${ends([n - 5, n - 4, n - 3, n - 2, n - 1, 0])}`,
    )
  })
})
