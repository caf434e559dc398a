import { type Graph, lstm, sequenceGraph } from '@cellgraph/graph'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type BodyKernelOptions,
  bodyKernels,
  concatStores,
  loopPlaces,
  planProgram,
  runPasses,
} from '../../src/index.js'
import { layerNormed } from '../support/cells.js'
import { trainingGraph } from '../support/gradGraphs.js'
import { expectAgree, inputsFor } from './agree.js'
import { testBackend } from './testBackend.js'

const normed = sequenceGraph([layerNormed({ input: 3, hidden: 4 })])
const lstmTraining = trainingGraph(sequenceGraph([lstm({ input: 3, hidden: 4 })]))

/** Each scan body of `graph` with the concats that other kernels write or that run after the loop. */
function scanBodies(graph: Graph) {
  return planProgram(runPasses(graph)).root.steps.flatMap((loop) =>
    loop.kind === 'loop'
      ? [
          {
            body: loop.body,
            placedOnly: new Set([...concatStores(loop.body).absorbed, ...loopPlaces(loop.node).hoisted]),
          },
        ]
      : [],
  )
}

/** The kernels each scan body of `graph` runs per time step with those options (as WebGPU lowers it). */
function stepKernels(graph: Graph, options: BodyKernelOptions = {}): string[][] {
  const name = (st: { kind: string; node?: { op: string } }) => st.node?.op ?? st.kind
  return scanBodies(graph).map(({ body, placedOnly }) =>
    bodyKernels(body, placedOnly, options).map((k) =>
      k.kind === 'rows' ? `rows(${k.steps.map(name).join(', ')})` : name(k),
    ),
  )
}

/** Elements of the weight of the one product in the scan body (the recurrent product, after hoisting). */
function bodyWeight(graph: Graph, scan = 0): number {
  const { body } = scanBodies(graph)[scan]!
  const products = body.graph.nodes.filter((n) => n.op === 'matmul' || n.op === 'layer')
  expect(products).toHaveLength(1)
  return body.types.of(products[0]!.inputs[1]!).shape.reduce((n, d) => n * d, 1)
}

describe('row groups take in products up to a weight size', () => {
  it('keeps a product whose weight is over the limit a kernel of its own', () => {
    // Up to the limit the layer-normed step's recurrent product joins the layer norm's row
    // group; over it the product runs with the elementwise step after it as a product-tail
    // kernel (split over many workgroups), and the rest of the layer norm as the row group.
    const w = bodyWeight(normed)
    const joined = [['rows(matmul, fused, reduceMean, fused, reduceMean, fused, fused)']]
    expect(stepKernels(normed)).toEqual(joined)
    expect(stepKernels(normed, { rowGroupWeights: w })).toEqual(joined)
    const alone = [['productTail', 'rows(reduceMean, fused, reduceMean, fused, fused)']]
    expect(stepKernels(normed, { rowGroupWeights: w - 1 })).toEqual(alone)
    expect(stepKernels(normed, { rowGroupWeights: 0 })).toEqual(alone)
    // The LSTM's backward step: δ of the gates, then their product with the recurrent weight,
    // one kernel over the whole product whatever the weight; without head products a row group
    // up to the limit, two kernels past it.
    const back = bodyWeight(lstmTraining, 1)
    const headed = [['productTail'], ['headProduct']]
    expect(stepKernels(lstmTraining)).toEqual(headed)
    expect(stepKernels(lstmTraining, { rowGroupWeights: 0 })).toEqual(headed)
    const noHeads = (rowGroupWeights: number) =>
      stepKernels(lstmTraining, { rowGroupWeights, headProducts: false })
    expect(noHeads(back)).toEqual([['productTail'], ['rows(fused, matmul)']])
    expect(noHeads(back - 1)).toEqual([['productTail'], ['fused', 'matmul']])
  })

  const gpu = testBackend({ matmul: { rowGroupWeights: 0 } })
  afterAll(async () => (await gpu).dispose())

  it('computes the same values when no product joins a row group (WebGPU)', {
    timeout: 120_000,
  }, async () => {
    const backend = await gpu
    await expectAgree(backend, normed, inputsFor(normed, 3, 4), 'layer-normed LSTM')
    await expectAgree(backend, lstmTraining, inputsFor(lstmTraining, 3, 4), 'LSTM training')
  })
})

describe('a row group computes its product several columns a thread', () => {
  // Hidden 70: the layer-normed step's product is 280 columns wide (four 64-column chunks a pass,
  // then a pass whose last three chunks are past the end), the LSTM's backward product 70 wide
  // (a row group where head products are off).
  const wideNormed = sequenceGraph([layerNormed({ input: 3, hidden: 70 })])
  const wideTraining = trainingGraph(sequenceGraph([lstm({ input: 3, hidden: 70 })]))
  it('keeps both products in row groups at this size', () => {
    expect(stepKernels(wideNormed)[0]![0]).toMatch(/^rows\(matmul/)
    expect(stepKernels(wideTraining, { headProducts: false })[1]).toEqual(['rows(fused, matmul)'])
  })
  for (const columns of [undefined, 1, 3]) {
    const gpu = testBackend({ matmul: { headProducts: false, rowProductColumns: columns } })
    afterAll(async () => (await gpu).dispose())
    it(`agrees with the reference, ${columns ?? 'default'} columns a thread (WebGPU)`, {
      timeout: 120_000,
    }, async () => {
      const backend = await gpu
      await expectAgree(backend, wideNormed, inputsFor(wideNormed, 2, 3), 'layer-normed LSTM')
      await expectAgree(backend, wideTraining, inputsFor(wideTraining, 2, 3), 'LSTM training')
    })
  }
})
