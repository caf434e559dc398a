import {
  clamp,
  concat,
  crossEntropy,
  div,
  exp,
  type Graph,
  GraphBuilder,
  greater,
  log,
  matmul,
  max,
  min,
  mul,
  neg,
  reduceMax,
  reduceMean,
  reduceSum,
  relu,
  rowCount,
  rowsOf,
  rsqrt,
  sigmoid,
  softmax,
  sqrt,
  sumAll,
  sumRows,
  tanh,
  tensor,
  tensorOf,
  type Value,
  where,
} from '@cellgraph/graph'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WebGpuBackend } from '../../src/index.js'
import { columnSumChunks } from '../../src/webgpu/columnSum.js'
import { sumAllGroups } from '../../src/webgpu/sumAll.js'
import { expectAgree as agree, inputsFor } from './agree.js'
import { testBackend } from './testBackend.js'

let gpu: WebGpuBackend
beforeAll(async () => {
  gpu = await testBackend()
}, 60_000)
afterAll(() => gpu.dispose())

/** A graph over batch inputs x [B,F] and a [F,F] weight, traced from `body`. */
function graphOf(features: number, body: (x: Value, w: Value) => Record<string, Value>): Graph {
  const b = new GraphBuilder()
  const x = b.leaf('input', 'x', { name: 'x', type: rowsOf(features) })
  const w = b.leaf('param', 'w', { name: 'w', shape: [features, features] })
  const outs = body(x, w)
  return b.build(Object.entries(outs).map(([name, value]) => ({ name, value })))
}

const expectAgree = (graph: Graph, inputs = inputsFor(graph, 3, 1)) => agree(gpu, graph, inputs)

describe('webgpu kernels against the reference', { timeout: 60_000 }, () => {
  it('runs every pointwise op, broadcasting rows, per-unit tensors and scalars', () =>
    expectAgree(
      graphOf(5, (x, w) => {
        const pos = mul(x, x)
        return {
          a: where(greater(x, 0), sqrt(pos), neg(rsqrt(max(pos, 0.01)))),
          b: div(clamp(x, -0.2, 0.3), min(exp(x), 2)),
          c: mul(log(max(pos, 1e-3)), relu(x)),
          d: mul(x, reduceSum(x)), // a [B,1] row operand broadcast along features
          e: mul(x, sumRows(x)), // a per-unit tensor [F] broadcast over rows
          f: mul(neg(reduceMean(w)), 2), // tensors only: a [5,1] tensor times a scalar
        }
      }),
    ))

  it('runs the row kernels: softmax, reductions, losses, sums over rows', () => {
    const b = new GraphBuilder()
    const x = b.leaf('input', 'x', { name: 'x', type: rowsOf(6) })
    const t = b.leaf('input', 't', { name: 't', type: rowsOf(1) })
    const graph = b.build([
      { name: 'softmax', value: softmax(x) },
      { name: 'max', value: reduceMax(x) },
      { name: 'ce', value: crossEntropy(x, t) },
      { name: 'mean', value: div(sumRows(crossEntropy(x, t)), rowCount(x)) },
      { name: 'all', value: sumAll(tanh(x)) },
    ])
    return expectAgree(graph, inputsFor(graph, 4, 1, { roles: { t: { classes: 6 } } }))
  })

  it('sums many rows and elements in parallel chunks, then their partials', async () => {
    // 301 rows × 70: the column sums run in 4 chunks of rows (the last one short), the sums of
    // all 21,070 elements in 6 workgroups; the 13-row sums stay one kernel.
    expect(columnSumChunks(301, 70)).toBe(4)
    expect(sumAllGroups(301 * 70)).toBe(6)
    expect([columnSumChunks(13, 70), sumAllGroups(13 * 70)]).toEqual([1, 1])
    const graph = graphOf(70, (x, w) => ({
      columns: sumRows(mul(x, x)),
      // independent sums and outer sums of one shape run batched, one dispatch each kind
      columns2: sumRows(x),
      outer1: x.builder.apply('outerSum', [x, tanh(x)], {})[0]!,
      outer2: x.builder.apply('outerSum', [sigmoid(x), x], {})[0]!,
      all: sumAll(x),
      squares: sumAll(mul(x, x)),
      weight: sumAll(mul(w, sigmoid(w))),
    }))
    await expectAgree(graph, inputsFor(graph, 301, 1))
    await expectAgree(graph, inputsFor(graph, 13, 1))
  })

  it('runs matrix products of every shape the passes emit, tiled, across tile edges', () => {
    // 100×70 and 70×70 outputs take the tiled kernel (32×32 tiles, ragged edges); small products
    // inside every cell test take the one-thread-per-output kernel.
    const graph = graphOf(70, (x, w) => ({
      xw: matmul(x, w),
      xwT: matmul(x, w, true),
      ww: matmul(w, w),
      xTx: x.builder.apply('outerSum', [x, sigmoid(x)], {})[0]!,
      cat: concat(sigmoid(x), x),
    }))
    return expectAgree(graph, inputsFor(graph, 100, 1))
  })

  it('keeps saturated transcendentals finite (|x| up to 1e4)', async () => {
    const b = new GraphBuilder()
    const x = b.leaf('input', 'x', { name: 'x', type: tensorOf(8) })
    const graph = b.build([
      { name: 'tanh', value: tanh(x) },
      { name: 'sigmoid', value: sigmoid(x) },
      { name: 'softmax', value: softmax(x) },
    ])
    const data = [-1e4, -100, -50, -0.01, 1e-6, 50, 100, 1e4]
    const exe = await gpu.compile(graph)
    const out = await exe.run({ x: gpu.upload({ dims: [8], data }) })
    const got = Object.fromEntries(
      await Promise.all(Object.entries(out).map(async ([k, t]) => [k, await t.read()] as const)),
    )
    exe.dispose()
    for (const v of Object.values(got)) expect(v.every(Number.isFinite)).toBe(true)
    expect(Array.from(got.tanh!)).toEqual([
      -1,
      -1,
      -1,
      Math.fround(Math.tanh(-0.01)),
      Math.fround(1e-6),
      1,
      1,
      1,
    ])
    expect(got.sigmoid![0]).toBe(0)
    expect(got.sigmoid![7]).toBe(1)
    await expectAgree(graph, [
      tensor(
        [8],
        data.map((v) => Math.max(-60, Math.min(60, v))),
      ),
    ])
  })
})
