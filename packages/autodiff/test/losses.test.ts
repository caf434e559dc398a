import { GraphBuilder, mul, sumAll, type Tensor, tensor, type ValueType } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { crossEntropyLoss, gradcheck, mseLoss, numericGrad, valueAndGrad, vjpRules } from '../src/index.js'

function lossGraph(kind: 'mse' | 'ce', pred: ValueType, target: ValueType) {
  const b = new GraphBuilder()
  const p = b.leaf('input', 'pred', { name: 'pred', type: pred })
  const t = b.leaf('input', 'target', { name: 'target', type: target })
  return b.build([{ name: 'loss', value: kind === 'mse' ? mseLoss(p, t) : crossEntropyLoss(p, t) }])
}

describe('mseLoss', () => {
  for (const type of [
    { layout: 'batch', shape: [3] },
    { layout: 'seq', shape: [2] },
    { layout: 'tensor', shape: [2, 2] },
  ] as ValueType[])
    it(`is the mean of squared errors over every element (${type.layout}) with the right gradient`, () => {
      const graph = lossGraph('mse', type, type)
      const dims = type.layout === 'batch' ? [2, 3] : type.layout === 'seq' ? [3, 2, 2] : [2, 2]
      const size = dims.reduce((a, b) => a * b, 1)
      const pred = tensor(
        dims,
        Array.from({ length: size }, (_, i) => Math.sin(i + 1)),
      )
      const target = tensor(
        dims,
        Array.from({ length: size }, (_, i) => Math.cos(i)),
      )
      const { value, grads } = valueAndGrad(
        graph,
        { pred, target },
        { loss: 'loss', wrt: ['pred', 'target'] },
      )
      const diffs = pred.data.map((p, i) => p - target.data[i]!)
      expect(value).toBeCloseTo(diffs.reduce((s, d) => s + d * d, 0) / size, 14)
      diffs.forEach((d, i) => expect(grads.pred!.data[i]).toBeCloseTo((2 * d) / size, 14))
      diffs.forEach((d, i) => expect(grads.target!.data[i]).toBeCloseTo((-2 * d) / size, 14))
    })
})

describe('crossEntropyLoss', () => {
  const graph = lossGraph('ce', { layout: 'seq', shape: [3] }, { layout: 'seq', shape: [1] })
  const target = tensor([2, 2, 1], [0, 2, 1, 1])

  it('averages logsumexp(x) − x[target] over rows, and its gradient is (softmax − onehot) / rows', () => {
    const logits = tensor([2, 2, 3], [1, 2, 3, -1, 0, 1, 0.5, 0.5, 0.5, 4, -2, 0])
    const { value, grads } = valueAndGrad(graph, { pred: logits, target }, { loss: 'loss', wrt: ['pred'] })
    let expected = 0
    for (let r = 0; r < 4; r++) {
      const row = [...logits.data.subarray(r * 3, r * 3 + 3)]
      const z = row.reduce((s, v) => s + Math.exp(v), 0)
      expected += (Math.log(z) - row[target.data[r]!]!) / 4
      row.forEach((v, j) => {
        const want = (Math.exp(v) / z - (j === target.data[r] ? 1 : 0)) / 4
        expect(grads.pred!.data[r * 3 + j]).toBeCloseTo(want, 14)
      })
    }
    expect(value).toBeCloseTo(expected, 14)
  })

  it('stays finite and exact for logits in the thousands', () => {
    const logits = tensor([2, 2, 3], [1000, 0, -1000, 3000, 2999, 0, -5000, -5001, -5002, 0, 0, 800])
    const { value, grads } = valueAndGrad(graph, { pred: logits, target }, { loss: 'loss', wrt: ['pred'] })
    // logsumexp(row) − row[target], with the largest logit factored out by hand.
    const rows = [0, 3000 + Math.log(1 + Math.exp(-1)), 1 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), 800]
    expect(value).toBeCloseTo(rows.reduce((s, v) => s + v, 0) / 4, 10)
    for (const g of grads.pred!.data) expect(Number.isFinite(g)).toBe(true)
  })

  it('matches central differences', () => {
    const logits = tensor([2, 2, 3], [0.3, -0.2, 0.9, 1.1, 0.1, -0.7, 0.2, 0.5, -0.4, 0.8, -0.6, 0.05])
    const report = gradcheck(graph, { pred: logits, target }, { loss: 'loss', wrt: ['pred'] })
    expect(report.pred!.error).toBeLessThan(1e-7)
  })
})

function cubeGraph() {
  const b = new GraphBuilder()
  const x = b.leaf('param', 'x', { name: 'x', shape: [3] })
  return b.build([{ name: 'loss', value: sumAll(mul(x, mul(x, x))) }])
}

describe('the gradient oracle', () => {
  const graph = cubeGraph()
  const inputs: Record<string, Tensor> = { x: tensor([3], [0.5, -1, 2]) }

  it('computes central differences: d/dx Σ x³ = 3x²', () => {
    const g = numericGrad(graph, inputs, { loss: 'loss' })
    ;[0.75, 3, 12].forEach((v, i) => expect(g.x!.data[i]).toBeCloseTo(v, 8))
  })

  it('reports a wrong rule', () => {
    const rules = vjpRules as Record<string, unknown>
    const mulRule = rules.mul
    rules.mul = { ...(mulRule as object), vjp: (ctx: { g: unknown }) => [() => ctx.g, () => ctx.g] }
    try {
      const report = gradcheck(cubeGraph(), inputs, { loss: 'loss' })
      expect(report.x!.error).toBeGreaterThan(0.1)
    } finally {
      rules.mul = mulRule
    }
    expect(gradcheck(cubeGraph(), inputs, { loss: 'loss' }).x!.error).toBeLessThan(1e-8)
  })
})
