import { GraphBuilder, log, lstm, sequenceGraph } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { compile, cpuBackend, referenceBackend } from '../src/index.js'
import { randomInputs } from './support/run.js'

const graph = sequenceGraph([lstm({ input: 2, hidden: 3 })])

async function bound() {
  const model = await compile(graph, { backend: 'cpu' })
  const inputs = Object.fromEntries(
    Object.entries(randomInputs(graph, 2, 3)).map(([k, v]) => [k, model.upload(v)]),
  )
  return { model, inputs }
}

describe('cpu backend errors name what is wrong', () => {
  it('a missing input', async () => {
    const { model, inputs } = await bound()
    delete inputs['l0.c0']
    await expect(model.run(inputs)).rejects.toThrow("missing input 'l0.c0'")
  })

  it('an unknown input', async () => {
    const { model, inputs } = await bound()
    await expect(model.run({ ...inputs, y0: inputs.x! })).rejects.toThrow("unknown input 'y0'")
  })

  it('dims that do not fit the leaf, and a batch size that disagrees', async () => {
    const { model, inputs } = await bound()
    const wrong = model.upload({ dims: [3, 2, 5], data: new Float64Array(30) })
    await expect(model.run({ ...inputs, x: wrong })).rejects.toThrow(
      "input 'x' expects [T,B,2], got dims [3,2,5]",
    )
    const otherBatch = model.upload({ dims: [4, 3], data: new Float64Array(12) })
    await expect(model.run({ ...inputs, 'l0.h0': otherBatch })).rejects.toThrow("input 'l0.h0' expects [B,3]")
  })

  it('a tensor of another backend, and a disposed one', async () => {
    const { model, inputs } = await bound()
    const foreign = referenceBackend().upload({ dims: [2, 3], data: new Float64Array(6) })
    await expect(model.run({ ...inputs, 'l0.h0': foreign })).rejects.toThrow(
      "input 'l0.h0' belongs to another backend",
    )
    inputs.x!.dispose()
    await expect(model.run(inputs)).rejects.toThrow('this tensor was disposed')
  })

  it('a non-finite output, named', async () => {
    const b = new GraphBuilder()
    const x = b.leaf('input', 'x', { name: 'x', type: { layout: 'batch', shape: [2] } })
    const g = b.build([{ name: 'logx', value: log(x) }])
    const cpu = cpuBackend()
    const exe = await cpu.compile(g)
    const neg = cpu.upload({ dims: [1, 2], data: [1, -1] })
    await expect(exe.run({ x: neg })).rejects.toThrow("output 'logx' holds NaN at element 1")
  })

  it('a write of the wrong length', () => {
    const t = cpuBackend().upload({ dims: [2], data: [1, 2] })
    expect(() => t.write([1, 2, 3])).toThrow('write of 3 values into a tensor of dims [2]')
    expect(() => cpuBackend().upload({ dims: [2, 2], data: [1] })).toThrow(
      'data has 1 values, dims [2,2] need 4',
    )
  })
})
