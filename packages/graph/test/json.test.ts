import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as dsl from '../src/index.js'
import {
  builtinCells,
  cellFromJson,
  cellToJson,
  type Graph,
  GraphBuilder,
  graphFromJson,
  graphToJson,
  JsonFormatError,
  sequenceGraph,
  stackCells,
  tracing,
  type Value,
} from '../src/index.js'

type Step = (b: GraphBuilder, pick: (f: number) => Value, n: number) => Value
const F = 3
/** Random graph construction steps over row values of F features (and one of size 1). */
const steps: Step[] = [
  ...(['neg', 'oneMinus', 'sigmoid', 'tanh', 'relu', 'exp', 'sqrt'] as const).map(
    (op): Step =>
      (_, pick) =>
        dsl[op](pick(F)),
  ),
  ...(['add', 'sub', 'mul', 'div', 'max', 'min', 'greater'] as const).map(
    (op): Step =>
      (_, pick) =>
        dsl[op](pick(F), pick(F)),
  ),
  (b, pick, n) => dsl.mul(pick(F), b.constant(n / 7 - 1.3e-5)),
  (_, pick, n) => dsl.clamp(pick(F), -n, n + 0.5),
  (_, pick) => dsl.where(pick(F), pick(F), pick(F)),
  (_, pick) => dsl.slice(dsl.concat(pick(F), pick(F)), 1, 1 + F),
  (_, pick) => dsl.add(pick(F), dsl.reduceMax(pick(F))),
  (_, pick, n) =>
    dsl.layer(`L${n}`, pick(F), F, (['identity', 'sigmoid', 'tanh', 'relu'] as const)[n % 4], {
      biases: (n % 3) as 0 | 1 | 2,
    }),
  (_, pick, n) => dsl.mul(pick(F), dsl.param(`p${n}`, [F])),
  (_, pick) => dsl.softmax(pick(F)),
]

const randomGraph = fc
  .array(fc.tuple(fc.nat(steps.length - 1), fc.nat(1000)), { minLength: 1, maxLength: 12 })
  .map((choices) => {
    const b = new GraphBuilder()
    const pool: Value[] = [b.leaf('input', 'x', { name: 'x', type: { layout: 'batch', shape: [F] } })]
    pool.push(b.leaf('state', 'h', { name: 'h', type: { layout: 'batch', shape: [F] } }))
    return tracing(b, () => {
      choices.forEach(([s, n], k) => {
        const pick = (f: number) => pool.filter((v) => v.type.shape[0] === f)[n % pool.length] ?? pool[0]!
        pool.push(steps[s]!(b, pick, k + 1))
      })
      return b.build([{ name: 'out', value: pool.at(-1)! }])
    })
  })

describe('JSON form', () => {
  it('round-trips random graphs exactly', () => {
    fc.assert(
      fc.property(randomGraph, (g) => {
        const text = graphToJson(g)
        const back = graphFromJson(text)
        expect(back).toEqual(g)
        expect(graphToJson(back)).toBe(text)
      }),
      { numRuns: 200 },
    )
  })

  it('round-trips every built-in cell and stacks with nested scan bodies', () => {
    for (const def of Object.values(builtinCells)) {
      const cell = def({ input: 3, hidden: 2 })
      expect(cellFromJson(cellToJson(cell))).toEqual(cell)
      const model: Graph = sequenceGraph(stackCells(def, { input: 3, hidden: 2, layers: 2 }))
      expect(graphFromJson(graphToJson(model))).toEqual(model)
    }
  })

  const lstmDoc = () => JSON.parse(cellToJson(builtinCells.lstm!({ input: 2, hidden: 2 })))
  // biome-ignore lint/suspicious/noExplicitAny: tests mutate a parsed JSON document freely
  type Doc = any
  const failure = (mutate: (doc: Doc) => void): string => {
    const doc = lstmDoc()
    mutate(doc)
    try {
      cellFromJson(doc)
    } catch (e) {
      return (e as Error).message
    }
    throw new Error('expected the document to be rejected')
  }

  it('names the field of a malformed document', () => {
    const at = (id: string, doc: Doc) => doc.graph.nodes.findIndex((n: { id: string }) => n.id === id)
    expect(failure((d) => (d.graph.nodes[at('f', d)].attrs.activation = 'softplus'))).toMatch(
      /^graph\.nodes\[\d+\]\.attrs\.activation: must be one of identity, sigmoid, tanh, relu$/,
    )
    expect(failure((d) => (d.graph.nodes[at('f', d)].op = 'gelu'))).toMatch(
      /^graph\.nodes\[\d+\]\.op: unknown op 'gelu'/,
    )
    expect(failure((d) => (d.graph.nodes[at('f.W', d)].attrs.shape = [2, -1]))).toMatch(
      /attrs\.shape: must be an array of positive integers/,
    )
    expect(failure((d) => (d.graph.nodes = {}))).toBe('graph.nodes: must be an array of nodes')
    expect(failure((d) => (d.sizes.hidden = 0))).toBe('sizes.hidden: must be a positive integer')
    expect(failure((d) => (d.format = 'other'))).toBe("format: must be 'cellgraph-cell'")
    expect(failure((d) => (d.graph.outputs[0].name = 'q'))).toBe(
      "graph.outputs[0]: must be the new state 'h'",
    )
    expect(() => graphFromJson('{"inputs": [')).toThrow(JsonFormatError)
  })

  it('reports shape errors and cycles found after parsing, naming node, op and shapes', () => {
    expect(
      failure(
        (d) =>
          (d.graph.nodes[d.graph.nodes.findIndex((n: { id: string }) => n.id === 'f.W')].attrs.shape = [
            2, 5,
          ]),
      ),
    ).toMatch(/node %f \(layer\): input x \[B,4\] does not match weight W \[2x5\]/)
    const cyclic = {
      inputs: ['x'],
      nodes: [
        { id: 'x', op: 'input', inputs: [], attrs: { name: 'x', type: { layout: 'batch', shape: [2] } } },
        { id: 'a', op: 'add', inputs: ['x', 'b'], attrs: {} },
        { id: 'b', op: 'tanh', inputs: ['a'], attrs: {} },
      ],
      outputs: [{ name: 'y', ref: 'b' }],
    }
    expect(() => graphFromJson(cyclic)).toThrow('cycle outside a scan: %a -> %b -> %a')
  })
})
