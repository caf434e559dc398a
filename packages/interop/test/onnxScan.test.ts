import {
  builtinCells,
  coupledLstm,
  elementCount,
  evaluate,
  type Graph,
  GraphBuilder,
  isfinite,
  lengthMask,
  log,
  neg,
  nodeMap,
  Rng,
  type SequenceOptions,
  seedGru,
  sequenceGraph,
  signature,
  stackCells,
  type Tensor,
  tensor,
} from '@cellgraph/graph'
import { builtinModel, modelGraph } from '@cellgraph/train'
import { describe, expect, it } from 'vitest'
import { exportOnnxScan } from '../src/index.js'
import { maxAbsDiff } from './fixtures.js'
import { runOrt } from './ort.js'

const T = 4
const B = 2

/** Seeded values for every leaf of `graph`: parameters and data, a length mask for `mask`. */
function leafValues(graph: Graph, seed: number, lengths = [T, 2]) {
  const rng = new Rng(seed)
  const types = signature(graph).inputs
  const byId = nodeMap(graph)
  const params: Record<string, Tensor> = {}
  const inputs: Record<string, Tensor> = {}
  graph.inputs.forEach((id, i) => {
    const n = byId.get(id)!
    const name = (n.attrs as { name: string }).name
    const t = types[i]!
    const dims =
      t.layout === 'tensor' ? [...t.shape] : t.layout === 'batch' ? [B, ...t.shape] : [T, B, ...t.shape]
    const v = tensor(
      dims,
      Array.from({ length: elementCount(dims) }, () => Math.fround(rng.next() * 2 - 1)),
    )
    if (n.op === 'param') params[name] = v
    else inputs[name] = name === 'mask' ? lengthMask(lengths, T) : v
  })
  return { params, inputs }
}

async function expectOrtAgrees(graph: Graph, seed: number) {
  const { params, inputs } = leafValues(graph, seed)
  const ours = evaluate(graph, { ...params, ...inputs })
  const theirs = await runOrt(exportOnnxScan(graph, params), inputs)
  for (const o of graph.outputs) expect(maxAbsDiff(theirs[o.name]!, ours[o.name]!)).toBeLessThan(2e-5)
}

describe('ONNX Scan export: any cell, as ONNX Runtime runs it', () => {
  const cases: [string, Graph][] = [
    ['seed_gru', sequenceGraph([seedGru({ input: 3, hidden: 4 })])],
    [
      'a two-layer bidirectional coupled LSTM with lengths and clip',
      sequenceGraph(stackCells(coupledLstm, { input: 3, hidden: 4, layers: 2, direction: 'bidirectional' }), {
        direction: 'bidirectional',
        lengths: true,
        clip: 0.5,
      }),
    ],
    ...Object.entries(builtinCells).map(([name, d]): [string, Graph] => {
      const options: SequenceOptions = { direction: 'reverse', lengths: true }
      return [
        `a two-layer reverse ${name} with lengths`,
        sequenceGraph(stackCells(d, { input: 3, hidden: 4, layers: 2 }), options),
      ]
    }),
  ]
  for (const [name, graph] of cases) it(name, () => expectOrtAgrees(graph, 7))

  it("a training checkpoint's whole model: embedding, a two-layer GRU and the softmax head's logits", () =>
    expectOrtAgrees(
      modelGraph(builtinModel('gru', { vocabularySize: 5, hidden: 4, layers: 2, embedding: 3 })),
      3,
    ))

  it('isfinite: 0 at NaN and ±Infinity, as the interpreter says', async () => {
    const b = new GraphBuilder()
    const x = b.leaf('input', 'x', { name: 'x', type: { layout: 'batch', shape: [5] } })
    // log gives NaN below 0 and -Infinity at 0; its negation +Infinity
    const graph = b.build([
      { name: 'log', value: isfinite(log(x)) },
      { name: 'negLog', value: isfinite(neg(log(x))) },
    ])
    const inputs = { x: tensor([2, 5], [-1, 0, 2, 1e-30, 3e38, 0.5, -0, 7, -2, 1]) }
    const ours = evaluate(graph, inputs, { checkFinite: false })
    const theirs = await runOrt(exportOnnxScan(graph, {}), inputs)
    for (const name of ['log', 'negLog']) {
      expect(Array.from(theirs[name]!.data), name).toEqual(Array.from(ours[name]!.data))
      expect(new Set(ours[name]!.data).size, name).toBe(2)
    }
  })

  it('names a missing parameter and an op without an ONNX form', () => {
    const graph = sequenceGraph([seedGru({ input: 3, hidden: 4 })])
    const { params } = leafValues(graph, 1)
    const { 'l0.g.b': _, ...missing } = params
    expect(() => exportOnnxScan(graph, missing)).toThrow("parameter 'l0.g.b' is missing")
    const b = new GraphBuilder()
    const x = b.leaf('input', 'x', { name: 'x', type: { layout: 'batch', shape: [2] } })
    const total = b.build([{ name: 'total', value: b.apply('sumAll', [x], {})[0]! }])
    expect(() => exportOnnxScan(total, {})).toThrow('node %sumAll1 (sumAll) has no ONNX form')
  })
})
