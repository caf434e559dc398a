import { describe, expect, it } from 'vitest'
import * as g from '../src/index.js'
import { GraphBuilder, type Tensor, tensor, tracing, type Value, type ValueType } from '../src/index.js'

/** Builds a one-output graph from leaves of the given types and runs it on the given data. */
function run(leaves: Record<string, [ValueType, Tensor]>, body: (v: Record<string, Value>) => Value): Tensor {
  const b = new GraphBuilder()
  const vars: Record<string, Value> = {}
  for (const [name, [type]] of Object.entries(leaves)) vars[name] = b.leaf('input', name, { name, type })
  const graph = tracing(b, () => b.build([{ name: 'out', value: body(vars) }]))
  return g.evaluate(graph, Object.fromEntries(Object.entries(leaves).map(([k, [, t]]) => [k, t]))).out!
}
const rows = (f: number, layout: 'batch' | 'seq' = 'batch'): ValueType => ({ layout, shape: [f] })
const vec = (...shape: number[]): ValueType => ({ layout: 'tensor', shape })
const list = (t: Tensor) => Array.from(t.data)

describe('reference interpreter ops', () => {
  const x: [ValueType, Tensor] = [
    rows(3),
    g.fromNested([
      [1, -2, 3],
      [0.5, 0, -1],
    ]),
  ]

  it('broadcasts per-unit vectors, one-feature rows and scalars over rows', () => {
    const p: [ValueType, Tensor] = [vec(3), tensor([3], [10, 20, 30])]
    const s: [ValueType, Tensor] = [rows(1), tensor([2, 1], [100, 200])]
    expect(list(run({ x, p }, (v) => g.add(v.x!, v.p!)))).toEqual([11, 18, 33, 10.5, 20, 29])
    expect(list(run({ x, s }, (v) => g.mul(v.s!, v.x!)))).toEqual([100, -200, 300, 100, 0, -200])
    expect(list(run({ x }, (v) => g.sub(v.x!, 1)))).toEqual([0, -3, 2, -0.5, -1, -2])
  })

  it('computes layer = activation(x·Wᵀ + b + b2) with W as [out, in]', () => {
    const W: [ValueType, Tensor] = [
      vec(2, 3),
      g.fromNested([
        [1, 0, 0],
        [1, 1, 1],
      ]),
    ]
    const b: [ValueType, Tensor] = [vec(2), tensor([2], [0.5, -0.5])]
    const out = run({ x, W, b }, (v) => {
      const builder = v.x!.builder
      return builder.apply('layer', [v.x!, v.W!, v.b!, v.b!], { activation: 'relu' })[0]!
    })
    expect(list(out)).toEqual([2, 1, 1.5, 0]) // rows: [1+1, 2-1], [0.5+1, max(-0.5-1, 0)]
  })

  it('multiplies with and without a transposed right operand, and sums outer products over rows', () => {
    const W: [ValueType, Tensor] = [
      vec(3, 2),
      g.fromNested([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    ]
    expect(list(run({ x, W }, (v) => g.matmul(v.x!, v.W!)))).toEqual([10, 12, -4.5, -5])
    const Wt: [ValueType, Tensor] = [
      vec(2, 3),
      g.fromNested([
        [1, 3, 5],
        [2, 4, 6],
      ]),
    ]
    expect(list(run({ x, Wt }, (v) => g.matmul(v.x!, v.Wt!, true)))).toEqual([10, 12, -4.5, -5])
    const a: [ValueType, Tensor] = [
      rows(2),
      g.fromNested([
        [1, 2],
        [3, 4],
      ]),
    ]
    const outer = run({ a, x }, (v) => v.a!.builder.apply('outerSum', [v.a!, v.x!], {})[0]!)
    expect(outer.dims).toEqual([2, 3])
    expect(list(outer)).toEqual([1 + 1.5, -2, 3 - 3, 2 + 2, -4, 6 - 4])
  })

  it('concatenates, slices, pads and reduces along the feature axis', () => {
    expect(list(run({ x }, (v) => g.slice(g.concat(v.x!, v.x!), 2, 4)))).toEqual([3, 1, -1, 0.5])
    expect(list(run({ x }, (v) => v.x!.builder.apply('pad', [v.x!], { before: 1, after: 0 })[0]!))).toEqual([
      0, 1, -2, 3, 0, 0.5, 0, -1,
    ])
    expect(list(run({ x }, (v) => g.reduceSum(v.x!)))).toEqual([2, -0.5])
    expect(list(run({ x }, (v) => g.reduceMax(v.x!)))).toEqual([3, 0.5])
    expect(list(run({ x }, (v) => g.reduceMean(v.x!)))).toEqual([2 / 3, -0.5 / 3])
    expect(list(run({ x }, (v) => g.sumRows(v.x!)))).toEqual([1.5, -2, 2])
    expect(list(run({ x }, (v) => g.meanRows(v.x!)))).toEqual([0.75, -1, 1])
    expect(list(run({ x }, (v) => g.sumAll(v.x!)))).toEqual([1.5])
  })

  it('broadcastLike and sumLike are adjoint: <broadcast(a), b> = <a, sumLike(b)>', () => {
    const p: [ValueType, Tensor] = [vec(3), tensor([3], [1, 2, 3])]
    const big = run({ x, p }, (v) => v.x!.builder.apply('broadcastLike', [v.p!, v.x!], {})[0]!)
    expect(list(big)).toEqual([1, 2, 3, 1, 2, 3])
    const small = run({ x, p }, (v) => v.x!.builder.apply('sumLike', [v.x!, v.p!], {})[0]!)
    expect(list(small)).toEqual([1.5, -2, 2])
    const lhs = list(big).reduce((s, b, i) => s + b * x[1].data[i]!, 0)
    const rhs = list(small).reduce((s, a, i) => s + a * p[1].data[i]!, 0)
    expect(lhs).toBeCloseTo(rhs, 12)
  })

  it('computes softmax and cross-entropy stably for huge logits', () => {
    const logits: [ValueType, Tensor] = [
      rows(3),
      g.fromNested([
        [1000, 1000, -1000],
        [0, Math.log(3), 0],
      ]),
    ]
    const target: [ValueType, Tensor] = [rows(1), tensor([2, 1], [1, 1])]
    const sm = list(run({ logits }, (v) => g.softmax(v.logits!)))
    expect(sm[0]).toBeCloseTo(0.5, 15)
    expect(sm[2]).toBe(0)
    expect(sm[4]).toBeCloseTo(0.6, 15)
    const ce = list(run({ logits, target }, (v) => g.crossEntropy(v.logits!, v.target!)))
    expect(ce[0]).toBeCloseTo(Math.log(2), 12)
    expect(ce[1]).toBeCloseTo(Math.log(5 / 3), 12)
    const bad: [ValueType, Tensor] = [rows(1), tensor([2, 1], [1, 3])]
    expect(() => run({ logits, target: bad }, (v) => g.crossEntropy(v.logits!, v.target!))).toThrow(
      /target 3 in row 1 is not a class index in \[0, 3\)/,
    )
  })

  it('evaluates greater, where and clamp', () => {
    expect(list(run({ x }, (v) => g.where(g.greater(v.x!, 0), v.x!, 7)))).toEqual([1, 7, 3, 0.5, 7, 7])
    expect(list(run({ x }, (v) => g.clamp(v.x!, -1, 2)))).toEqual([1, -1, 2, 0.5, 0, -1])
  })

  it('runs a reverse scan from the last step to the first, keeping outputs indexed by time', () => {
    const body = new GraphBuilder()
    const acc = body.leaf('state', 'acc', { name: 'acc', type: rows(1) })
    const step = body.leaf('input', 'x', { name: 'x', type: rows(1) })
    const next = g.add(g.mul(acc, 10), step)
    const bodyGraph = body.build([
      { name: 'acc', value: next },
      { name: 'y', value: next },
    ])
    const outer = new GraphBuilder()
    const init = outer.leaf('input', 'a0', { name: 'a0', type: rows(1) })
    const xs = outer.leaf('input', 'xs', { name: 'xs', type: rows(1, 'seq') })
    const [final, ys] = outer.apply('scan', [init, xs], {
      body: bodyGraph,
      carries: 1,
      sequences: 1,
      reverse: true,
    })
    const graph = outer.build([
      { name: 'final', value: final! },
      { name: 'ys', value: ys! },
    ])
    const out = g.evaluate(graph, { a0: tensor([1, 1], [0]), xs: tensor([3, 1, 1], [1, 2, 3]) })
    expect(list(out.ys!)).toEqual([321, 32, 3])
    expect(list(out.final!)).toEqual([321])
  })
})

describe('errors name what is wrong', () => {
  it('a shape mismatch names the node, the op and both shapes', () => {
    const b = new GraphBuilder()
    const x3 = b.leaf('input', 'x', { name: 'x', type: rows(3) })
    const y4 = b.leaf('input', 'y', { name: 'y', type: rows(4) })
    expect(() => g.add(x3, y4)).toThrow(
      'node %add1 (add): operands [B,3] and [B,4] do not broadcast (inputs: %x [B,3], %y [B,4])',
    )
  })

  it('a non-finite result names the node that produced it', () => {
    expect(() => run({ x: [rows(3), g.fromNested([[1, -2, 3]])] }, (v) => g.tanh(g.log(v.x!)))).toThrow(
      'node %log1 (log) produced NaN at element 1 of dims [1,3]',
    )
  })

  it('inputs of the wrong dims or with NaN are rejected by name', () => {
    const graph = g.lstm({ input: 2, hidden: 3 }).graph
    const inputs: Record<string, Tensor> = {}
    for (const id of graph.inputs) {
      const n = graph.nodes.find((m) => m.id === id)!
      const a = n.attrs as { name: string; shape?: number[]; type?: ValueType }
      inputs[a.name] = tensor(a.shape ?? [1, a.type!.shape[0]!])
    }
    expect(() => g.evaluate(graph, { ...inputs, x: tensor([1, 3]) })).toThrow(
      'input %x expects [B,2], got dims [1,3]',
    )
    expect(() => g.evaluate(graph, { ...inputs, x: tensor([2, 2]) })).toThrow(
      'input %x expects [B,2], got dims [2,2]',
    )
    expect(() => g.evaluate(graph, { ...inputs, x: tensor([1, 2], [0, Number.NaN]) })).toThrow(
      'input %x holds NaN at element 1',
    )
    const { h: _, ...missing } = inputs
    expect(() => g.evaluate(graph, missing)).toThrow("missing input 'h'")
    expect(() => g.evaluate(graph, { ...inputs, hh: tensor([1]) })).toThrow("unknown input 'hh'")
  })

  it('cell definitions report misuse clearly', () => {
    expect(() =>
      g.defineCell('bad', { state: ['h'] }, ({ x }) => ({ state: {} as never, output: x }))({
        input: 1,
        hidden: 1,
      }),
    ).toThrow("cell 'bad' does not return state 'h'")
    expect(() => g.lstm({ input: 0, hidden: 2 })).toThrow(
      "cell 'lstm': size input must be a positive integer, got 0",
    )
    expect(() =>
      g.defineCell('twice', { state: ['h'] }, ({ x, h }) => {
        const a = g.layer('a', g.concat(h, x), 2, 'tanh')
        return { state: { h: g.layer('a', a, 2) }, output: a }
      })({ input: 1, hidden: 2 }),
    ).toThrow("the name 'a.W' is used twice in this cell (param)")
    expect(() => g.param('p', [2])).toThrow('param can only be called while a cell is being defined')
  })

  it('the verifier names undefined inputs, unlisted leaves and misordered nodes', () => {
    const x = { id: 'x', op: 'input', inputs: [], attrs: { name: 'x', type: rows(2) } } as const
    const graph = (nodes: unknown[], inputs = ['x']) =>
      ({ inputs, nodes, outputs: [{ name: 'y', ref: 'y' }] }) as never
    expect(() => g.verify(graph([x, { id: 'y', op: 'tanh', inputs: ['z'], attrs: {} }]))).toThrow(
      'node %y (tanh) reads %z, which is not defined',
    )
    expect(() => g.verify(graph([x, { id: 'y', op: 'tanh', inputs: ['x'], attrs: {} }], []))).toThrow(
      "input %x is not listed in the graph's inputs",
    )
    expect(() =>
      g.verify(
        graph([
          x,
          { id: 'y', op: 'tanh', inputs: ['w'], attrs: {} },
          { id: 'w', op: 'neg', inputs: ['x'], attrs: {} },
        ]),
      ),
    ).toThrow('node %y (tanh) reads %w, which is listed after it (list nodes in dependency order)')
    expect(() => g.verify(graph([x, { id: 'y', op: 'add', inputs: ['x'], attrs: {} }]))).toThrow(
      'node %y (add): takes 2 inputs, got 1',
    )
  })
})
