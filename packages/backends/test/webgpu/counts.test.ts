import { type Graph, gru, lstm, sequenceGraph } from '@cellgraph/graph'
import { leavesOf } from '@cellgraph/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  bodyKernels,
  createWebGpuContext,
  type DeviceTensor,
  gpuWorkBetween,
  groupRows,
  planProgram,
  runPasses,
  type WebGpuBackend,
  type WebGpuContext,
} from '../../src/index.js'
import { layerNormed } from '../support/cells.js'
import { inputsFor } from './agree.js'
import { watchDevice } from './deviceWatch.js'
import { sgdStep } from './sgdStep.js'
import { useSoftwareVulkan } from './softwareVulkan.js'
import { stepKernels } from './stepKernels.js'
import { testBackend } from './testBackend.js'

let context: WebGpuContext
let gpu: WebGpuBackend
let seen: ReturnType<typeof watchDevice>
beforeAll(async () => {
  useSoftwareVulkan()
  context = await createWebGpuContext()
  seen = watchDevice(context)
  gpu = await testBackend({ context })
})
afterAll(() => gpu.dispose())

const model = sequenceGraph([lstm({ input: 3, hidden: 4 })])
const training = sgdStep(model, 0.05).graph

const normedModel = sequenceGraph([layerNormed({ input: 3, hidden: 4 })])

/** One warm run (its plan already built) and the read of one output: what each costs. */
async function costs(graph: Graph, steps: number, read: string) {
  const exe = await gpu.compile(graph)
  const values = inputsFor(graph, 2, steps)
  const inputs: Record<string, DeviceTensor> = Object.fromEntries(
    leavesOf(graph).map((leaf, k) => [leaf.name, gpu.upload(values[k]!)]),
  )
  await (await exe.run(inputs))[read]!.read() // builds the plan for this length
  const start = { stats: gpu.stats(), seen: { ...seen } }
  const out = await exe.run(inputs)
  const run = gpuWorkBetween(start.stats, gpu.stats())
  await out[read]!.read()
  const total = gpuWorkBetween(start.stats, gpu.stats())
  expect(total).toEqual(gpuWorkBetween(start.seen, seen)) // the counters agree with the device's own calls
  exe.dispose()
  for (const t of Object.values(inputs)) t.dispose()
  return { run, total }
}

describe('webgpu work counts', { timeout: 60_000 }, () => {
  // The dispatches per time step reached so far: a step that gains one fails here.
  for (const [name, graph, read, planned] of [
    ['inference', model, model.outputs[0]!.name, 1],
    ['training step', training, 'loss', 2],
    ['layer-normed inference', normedModel, normedModel.outputs[0]!.name, 1],
    ['layer-normed training step', sgdStep(normedModel, 0.05).graph, 'loss', 2],
    // saves h as read and as written, in one run of slices: no copy a step (4 before); its
    // backward step (the gates' δ, δ·W and the sum after it) is one row group (3 before)
    ['GRU training step', sgdStep(sequenceGraph([gru({ input: 3, hidden: 4 })]), 0.05).graph, 'loss', 2],
  ] as const) {
    it(`a warm ${name} is one pass and one submission, reads back only its output`, async () => {
      const short = await costs(graph, 2, read)
      const long = await costs(graph, 5, read)
      for (const { run, total } of [short, long]) {
        // Inside the run: nothing written from the host, nothing read back, nothing submitted yet.
        expect({ ...run, dispatches: 0 }).toEqual({
          submissions: 0,
          passes: 1,
          dispatches: 0,
          writes: 0,
          readBacks: 0,
        })
        expect({ ...total, dispatches: 0 }).toEqual({
          submissions: 1,
          passes: 1,
          dispatches: 0,
          writes: 0,
          readBacks: 1,
        })
        expect(total.dispatches).toBe(run.dispatches)
      }
      // Every step of every scan adds its body's kernels to the same pass: 3 more steps, 3× those.
      const perStep = stepKernels(planProgram(runPasses(graph)).root).length
      expect(long.run.dispatches - short.run.dispatches).toBe(3 * perStep)
      expect(perStep).toBe(planned)
      console.log(`${name}: ${perStep} dispatches per time step, ${short.run.dispatches} at T=2`)
    })
  }

  it('a warm LSTM inference is its input product and one kernel a step: no packs, no carry copies', async () => {
    // The weights did not change since the last run, so the packs do not run; the initial h and
    // c are read where they are (version 0 of a carry needs no copy unless it is a slice of a
    // per-step output); the input projection of every step is one product before the loop.
    for (const steps of [2, 5])
      expect((await costs(model, steps, model.outputs[0]!.name)).run.dispatches).toBe(1 + steps)
  })

  it('runs a layer norm and the product before it as one kernel per time step', () => {
    const loop = planProgram(runPasses(normedModel)).root.steps.find((st) => st.kind === 'loop')!
    if (loop.kind !== 'loop') throw new Error('no loop')
    const kernels = bodyKernels(loop.body, new Set())
    // One row group: the product, both row means and every elementwise step around them.
    expect(kernels.map((k) => k.kind)).toEqual(['rows'])
    const [group] = kernels
    expect(group?.kind === 'rows' && group.steps[0]!.kind === 'call' && group.steps[0]!.node.op).toBe(
      'matmul',
    )
    // Without products in row groups (outside scans), the product stays a kernel of its own.
    expect(groupRows(loop.body).map((k) => k.kind)).toEqual(['call', 'rows'])
  })
})
