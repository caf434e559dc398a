import {
  add,
  builtinCells,
  concat,
  crossEntropy,
  defineCell,
  div,
  evaluate,
  type Graph,
  GraphBuilder,
  graphFromJson,
  graphToJson,
  layer,
  lstm,
  mul,
  type Node,
  param,
  peepholeLstm,
  printGraph,
  rowCount,
  sequenceGraph,
  sigmoid,
  stackCells,
  sumAll,
  sumRows,
  tanh,
} from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { grad, gradcheck, planBptt, valueAndGrad } from '../src/index.js'
import { explain, linearFunctional, randomInputs } from './support.js'

const scanNodes = (g: Graph) => g.nodes.filter((n): n is Node<'scan'> => n.op === 'scan')

function expectGradcheck(graph: Graph, wrt: string[], steps = 4, batch = 2) {
  const inputs = randomInputs(graph, { steps, batch, seed: 11 })
  const report = gradcheck(graph, inputs, { loss: 'loss', wrt })
  const worst = Math.max(...Object.values(report).map((r) => r.error))
  if (!(worst < 1e-5)) throw new Error(explain(graph, JSON.stringify(report, null, 1)))
}

describe('BPTT structure', () => {
  const model = linearFunctional(sequenceGraph([lstm({ input: 2, hidden: 3 })]))
  const g = grad(model, { loss: 'loss', wrt: ['x', 'l0.h0', 'l0.c0', 'l0.i.W', 'l0.i.b'] })
  const [forward, backward] = scanNodes(g)

  it('is plain IR: it round-trips through JSON and runs the same', () => {
    const again = graphFromJson(graphToJson(g))
    expect(printGraph(again)).toBe(printGraph(g))
    const inputs = randomInputs(model, { steps: 3, batch: 2, seed: 5 })
    const a = evaluate(g, inputs)
    const b = evaluate(again, inputs)
    for (const name of Object.keys(a)) expect([...b[name]!.data]).toEqual([...a[name]!.data])
  })

  it('runs the forward scan once, then one reverse scan', () => {
    expect(scanNodes(g)).toHaveLength(2)
    expect(forward!.attrs.reverse).toBe(false)
    expect(backward!.attrs.reverse).toBe(true)
  })

  it("saves activation outputs and the step's inputs, nothing else, for the LSTM", () => {
    const node = model.nodes.find((n) => n.op === 'scan') as Node<'scan'>
    const plan = planBptt(
      node,
      [true, true, true, ...node.inputs.slice(3).map(() => true)],
      [true, true, true],
    )
    // σ and tanh gates (their outputs), tanh(c'), the previous cell state and [h, x].
    expect([...plan.saved].sort()).toEqual(['c', 'f', 'g', 'hx', 'i', 'o', 'tanh1'].sort())
  })

  it('keeps weight gradients as outerSum nodes accumulated in tensor carries', () => {
    const body = backward!.attrs.body
    const outer = body.nodes.filter((n) => n.op === 'outerSum')
    expect(outer).toHaveLength(1) // only i.W was asked for
    const acc = body.outputs.find((o) => o.name === 'acc.i.W')!
    const accNode = body.nodes.find((n) => n.id === acc.ref)!
    expect(accNode.op).toBe('add')
    expect(accNode.inputs).toContain(outer[0]!.id)
    // dx per step is a product with the weights (transposeB false), one per gate.
    expect(
      body.nodes.filter(
        (n) => n.op === 'matmul' && (n.attrs as { transposeB?: boolean }).transposeB === false,
      ),
    ).toHaveLength(4)
  })

  it("reads sigmoid's and tanh's outputs, not their inputs", () => {
    const peephole = linearFunctional(sequenceGraph([peepholeLstm({ input: 2, hidden: 2 })]))
    const node = peephole.nodes.find((n) => n.op === 'scan') as Node<'scan'>
    const body = node.attrs.body
    const plan = planBptt(
      node,
      node.inputs.map(() => true),
      node.attrs.body.outputs.map(() => true),
    )
    const opOf = (r: string) => body.nodes.find((n) => n.id === r)!.op
    const saved = plan.saved.map(opOf)
    expect(saved).toContain('sigmoid')
    // The pre-activations (adds feeding sigmoid) are not saved.
    const preActivations = body.nodes.filter((n) => n.op === 'sigmoid').map((n) => n.inputs[0]!)
    for (const r of preActivations) expect(plan.saved).not.toContain(r)
  })
})

describe("recompute mode ('bptt: recompute')", () => {
  for (const [name, definition] of Object.entries(builtinCells))
    it(`${name}: saves only the carries and gives the same gradients`, () => {
      const model = linearFunctional(
        sequenceGraph(stackCells(definition, { input: 2, hidden: 3, layers: 2 })),
      )
      const wrt = model.inputs
        .map((id) => (model.nodes.find((n) => n.id === id)!.attrs as { name: string }).name)
        .filter((n) => !n.startsWith('w.'))
      const inputs = randomInputs(model, { steps: 4, batch: 2, seed: 3 })
      const saved = valueAndGrad(model, inputs, { loss: 'loss', wrt })
      const recomputed = evaluate(grad(model, { loss: 'loss', wrt, bptt: 'recompute' }), inputs)
      for (const leaf of wrt) {
        const a = saved.grads[leaf]!.data
        const b = recomputed[`grad.${leaf}`]!.data
        a.forEach((v, i) => expect(Math.abs(v - b[i]!), `${leaf}[${i}]`).toBeLessThan(1e-12))
      }
      const node = model.nodes.find((n) => n.op === 'scan') as Node<'scan'>
      const plan = planBptt(
        node,
        node.inputs.map(() => true),
        node.attrs.body.outputs.map(() => true),
        'recompute',
      )
      expect([...plan.saved].sort()).toEqual([...definition.spec.state].sort())
    })
})

describe('BPTT on scans beyond the built-in cells', () => {
  it('handles reverse scans, several sequences, unused outputs and loop-invariant tensors', () => {
    const body = new GraphBuilder()
    const h = body.leaf('state', 'h', { name: 'h', type: { layout: 'batch', shape: [2] } })
    const s = body.leaf('state', 's', { name: 's', type: { layout: 'batch', shape: [1] } })
    const x = body.leaf('input', 'x', { name: 'x', type: { layout: 'batch', shape: [2] } })
    const u = body.leaf('input', 'u', { name: 'u', type: { layout: 'batch', shape: [1] } })
    const W = body.leaf('param', 'W', { name: 'W', shape: [2, 4] })
    const p = body.leaf('param', 'p', { name: 'p', shape: [2] })
    const gate = sigmoid(p) // a tensor computed in the body from an invariant: recomputed, not saved
    const h2 = add(
      mul(gate, tanh(body.apply('layer', [concat(h, x), W], { activation: 'identity' })[0]!)),
      mul(u, h),
    )
    const s2 = add(s, mul(u, u))
    const bodyGraph = body.build([
      { name: 'h', value: h2 },
      { name: 's', value: s2 },
      { name: 'y', value: h2 },
      { name: 'unused', value: mul(h2, x) },
    ])
    const b = new GraphBuilder()
    const h0 = b.leaf('input', 'h0', { name: 'h0', type: { layout: 'batch', shape: [2] } })
    const s0 = b.leaf('input', 's0', { name: 's0', type: { layout: 'batch', shape: [1] } })
    const xs = b.leaf('input', 'xs', { name: 'xs', type: { layout: 'seq', shape: [2] } })
    const us = b.leaf('input', 'us', { name: 'us', type: { layout: 'seq', shape: [1] } })
    const Wv = b.leaf('param', 'W', { name: 'W', shape: [2, 4] })
    const pv = b.leaf('param', 'p', { name: 'p', shape: [2] })
    const outs = b.apply('scan', [h0, s0, xs, us, Wv, pv], {
      body: bodyGraph,
      carries: 2,
      sequences: 2,
      reverse: true,
    })
    const model = b.build([
      { name: 'hT', value: outs[0]! },
      { name: 'sT', value: outs[1]! },
      { name: 'ys', value: outs[2]! },
    ])
    expectGradcheck(linearFunctional(model), ['h0', 's0', 'xs', 'us', 'W', 'p'])
  })

  it('differentiates a custom cell with a per-step sum over the batch', () => {
    const cell = defineCell('batch_norm_ish', { state: ['h'] }, ({ x, h }, { hidden }) => {
      const z = layer('z', concat(h, x), hidden)
      const centred = add(z, mul(sumRows(z), -0.5)) // a tensor that depends on the step's rows
      const h2 = tanh(add(centred, mul(param('p', [hidden]), h)))
      return { state: { h: h2 }, output: h2 }
    })
    const graph = linearFunctional(sequenceGraph([cell({ input: 2, hidden: 2 })]))
    expectGradcheck(graph, ['x', 'l0.h0', 'l0.z.W', 'l0.z.b', 'l0.p'])
  })

  it('differentiates a per-step cross-entropy inside the body, with the targets as a second sequence', () => {
    const body = new GraphBuilder()
    const h = body.leaf('state', 'h', { name: 'h', type: { layout: 'batch', shape: [3] } })
    const x = body.leaf('input', 'x', { name: 'x', type: { layout: 'batch', shape: [2] } })
    const t = body.leaf('input', 't', { name: 't', type: { layout: 'batch', shape: [1] } })
    const W = body.leaf('param', 'W', { name: 'W', shape: [3, 5] })
    const h2 = body.apply('layer', [concat(h, x), W], { activation: 'tanh' })[0]!
    const ce = crossEntropy(mul(h2, 4), t)
    const bodyGraph = body.build([
      { name: 'h', value: h2 },
      { name: 'ce', value: ce },
    ])
    const b = new GraphBuilder()
    const h0 = b.leaf('input', 'h0', { name: 'h0', type: { layout: 'batch', shape: [3] } })
    const xs = b.leaf('input', 'xs', { name: 'xs', type: { layout: 'seq', shape: [2] } })
    const ts = b.leaf('input', 'ts', { name: 'ts', type: { layout: 'seq', shape: [1] } })
    const Wv = b.leaf('param', 'W', { name: 'W', shape: [3, 5] })
    const outs = b.apply('scan', [h0, xs, ts, Wv], {
      body: bodyGraph,
      carries: 1,
      sequences: 2,
      reverse: false,
    })
    const graph = b.build([{ name: 'loss', value: div(sumAll(outs[1]!), rowCount(outs[1]!)) }])
    const inputs = randomInputs(graph, { steps: 4, batch: 2, seed: 9 })
    inputs.ts!.data.forEach((u, i) => (inputs.ts!.data[i] = u > 0.3 ? 2 : u > -0.3 ? 1 : 0))
    const report = gradcheck(graph, inputs, { loss: 'loss', wrt: ['h0', 'xs', 'W'] })
    const worst = Math.max(...Object.values(report).map((r) => r.error))
    if (!(worst < 1e-5)) throw new Error(explain(graph, JSON.stringify(report, null, 1)))
  })

  it('gives zero gradients, of the right shape, to leaves the loss does not read', () => {
    const b = new GraphBuilder()
    const x = b.leaf('input', 'x', { name: 'x', type: { layout: 'batch', shape: [2] } })
    const unused = b.leaf('param', 'unused', { name: 'unused', shape: [3, 2] })
    const graph = b.build([
      { name: 'loss', value: b.apply('sumAll', [x], {})[0]! },
      { name: 'p', value: unused },
    ])
    const r = valueAndGrad(
      graph,
      {
        x: randomInputs(graph, { steps: 1, batch: 2, seed: 1 }).x!,
        unused: randomInputs(graph, { steps: 1, batch: 1, seed: 2 }).unused!,
      },
      { loss: 'loss', wrt: ['x', 'unused'] },
    )
    expect(r.grads.unused!.dims).toEqual([3, 2])
    expect([...r.grads.unused!.data]).toEqual([0, 0, 0, 0, 0, 0])
    expect([...r.grads.x!.data]).toEqual([1, 1, 1, 1])
  })
})
