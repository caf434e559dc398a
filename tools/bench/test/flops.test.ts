import { GraphBuilder, gru, lstm } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { layerNormLstm } from '../src/cells/layerNormLstm.js'
import { countFlops } from '../src/flops.js'
import { workloadGraph } from '../src/model.js'
import { workloadFlops } from '../src/run.js'
import { makeProblem } from '../src/workload.js'

const sizes = { input: 7, hidden: 5 }
const rows = { batch: 3, steps: 11 }

describe('countFlops', () => {
  it('counts an LSTM scan as T steps of four [B, H+I]·[H+I, H] products', () => {
    const { batch: B, steps: T } = rows
    const { input: I, hidden: H } = sizes
    const byHand = T * 4 * (2 * B * (H + I) * H)
    expect(countFlops(workloadGraph(lstm(sizes)), rows)).toBe(byHand)
    expect(countFlops(lstm(sizes).graph, rows)).toBe(byHand / T) // one step: the body alone
  })

  it("counts PyTorch's GRU: r and z over [h, x], n's input and hidden products apart", () => {
    const { batch: B, steps: T } = rows
    const { input: I, hidden: H } = sizes
    const perStep = 2 * (2 * B * (H + I) * H) + 2 * B * I * H + 2 * B * H * H
    expect(countFlops(workloadGraph(gru(sizes)), rows)).toBe(T * perStep)
  })

  it('counts the layer-normalised LSTM like an LSTM: its extra work is pointwise', () => {
    expect(countFlops(workloadGraph(layerNormLstm(sizes)), rows)).toBe(
      countFlops(workloadGraph(lstm(sizes)), rows),
    )
  })

  it('counts sequence rows as T·B, tensor rows by their leading dims, and outerSum over rows', () => {
    const b = new GraphBuilder()
    const xs = b.leaf('input', 'xs', { name: 'xs', type: { layout: 'seq', shape: [4] } })
    const ys = b.leaf('input', 'ys', { name: 'ys', type: { layout: 'seq', shape: [6] } })
    const w = b.leaf('param', 'w', { name: 'w', shape: [6, 4] })
    const m = b.leaf('param', 'm', { name: 'm', shape: [9, 6] })
    const [projected] = b.apply('layer', [xs, w], { activation: 'identity' }) // [T·B, 4]·[4, 6]
    const [outer] = b.apply('outerSum', [xs, ys], {}) // Σ over T·B rows of [4]ᵀ·[6]
    const [product] = b.apply('matmul', [m, w], { transposeB: false }) // [9, 6]·[6, 4]
    const [transposed] = b.apply('matmul', [xs, w], { transposeB: true }) // rows [4]·[6, 4]ᵀ
    const [rowProduct] = b.apply('matmul', [ys, w], { transposeB: false }) // rows [6]·[6, 4]
    const graph = b.build([
      { name: 'p', value: projected! },
      { name: 'o', value: outer! },
      { name: 'q', value: product! },
      { name: 't', value: transposed! },
      { name: 'r', value: rowProduct! },
    ])
    const TB = rows.steps * rows.batch
    expect(countFlops(graph, rows)).toBe(
      2 * TB * 4 * 6 + // layer
        2 * TB * 4 * 6 + // outerSum
        2 * 9 * 6 * 4 + // tensor matmul
        2 * TB * 4 * 6 + // matmul with transposeB
        2 * TB * 6 * 4, // row matmul
    )
  })

  it("counts a training step over autodiff's gradient graph: dW and d[h, x] cost one forward each", () => {
    const config = { name: 'tiny', batch: 2, steps: 3, input: 4, hidden: 5 }
    const flops = workloadFlops(makeProblem(lstm, config))
    expect(flops.infer).toBe(3 * 4 * 2 * 2 * (5 + 4) * 5)
    expect(flops.train).toBe(3 * flops.infer)
  })
})
