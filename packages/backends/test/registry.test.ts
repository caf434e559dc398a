import { lstm, sequenceGraph } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { backendNames, compile, isBackendName, openBackend, referenceBackend } from '../src/index.js'
import { randomInputs } from './support/run.js'

describe('the backend registry', () => {
  it("names every backend once, 'webgpu' included", () => {
    expect([...backendNames].sort()).toEqual(['cpu', 'cpu-js', 'cpu-wasm', 'reference', 'webgpu'])
    expect(backendNames.every(isBackendName)).toBe(true)
    expect(isBackendName('gpu')).toBe(false)
    expect(isBackendName('toString')).toBe(false)
  })

  it('opens backends by name, and an unknown name lists the known ones', async () => {
    const cpuJs = await openBackend('cpu-js')
    expect(cpuJs.name).toBe('cpu-js')
    cpuJs.dispose()
    await expect(openBackend('gpu' as never)).rejects.toThrow(
      "unknown backend 'gpu'; known: cpu, cpu-js, webgpu, reference, cpu-wasm",
    )
    await expect(
      compile(sequenceGraph([lstm({ input: 1, hidden: 1 })]), { backend: 'tpu' as never }),
    ).rejects.toThrow("unknown backend 'tpu'")
  })
})

describe('run() called from plain JavaScript with the wrong kind of input', () => {
  const graph = sequenceGraph([lstm({ input: 2, hidden: 3 })])
  for (const backend of ['cpu-js', 'reference'] as const)
    it(`names the input and says to upload it (${backend})`, async () => {
      const model = await compile(graph, { backend })
      const inputs = Object.fromEntries(
        Object.entries(randomInputs(graph, 2, 3)).map(([k, v]) => [k, model.upload(v)]),
      )
      await expect(model.run({ ...inputs, x: new Float32Array(12) as never })).rejects.toThrow(
        "input 'x' is a Float32Array, not a device tensor: upload it first with backend.upload({ dims, data })",
      )
      await expect(
        model.run({ ...inputs, x: { dims: [3, 2, 2], data: new Float32Array(12) } as never }),
      ).rejects.toThrow("input 'x' is a host tensor ({ dims, data }), not a device tensor")
      await expect(model.run(new Float32Array(12) as never)).rejects.toThrow(
        'run() takes an object of named device tensors',
      )
    })

  it('a reference tensor given to another backend is still "another backend"', async () => {
    const model = await compile(graph, { backend: 'cpu-js' })
    const inputs = Object.fromEntries(
      Object.entries(randomInputs(graph, 2, 3)).map(([k, v]) => [k, model.upload(v)]),
    )
    const foreign = referenceBackend().upload({ dims: [2, 3], data: new Float64Array(6) })
    await expect(model.run({ ...inputs, 'l0.h0': foreign })).rejects.toThrow('another backend')
  })
})
