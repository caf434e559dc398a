import { lstm, sequenceGraph } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { compile, openBackend, referenceBackend } from '../../src/index.js'
import { randomInputs } from '../support/run.js'
import { useSoftwareVulkan } from './softwareVulkan.js'

useSoftwareVulkan()

describe("'webgpu' by name", () => {
  it('compile opens the shared WebGPU backend and agrees with the reference', async () => {
    const graph = sequenceGraph([lstm({ input: 2, hidden: 3 })])
    const gpu = await compile(graph, { backend: 'webgpu' })
    expect(gpu.backend.name).toBe('webgpu')
    const reference = await referenceBackend().compile(graph)
    const host = randomInputs(graph, 2, 3)
    const ref = referenceBackend()
    const want = await (
      await reference.run(Object.fromEntries(Object.entries(host).map(([k, v]) => [k, ref.upload(v)])))
    ).y!.read()
    const got = await (
      await gpu.run(Object.fromEntries(Object.entries(host).map(([k, v]) => [k, gpu.upload(v)])))
    ).y!.read()
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5))
    const opened = await openBackend('webgpu')
    expect(opened.adapterName.length).toBeGreaterThan(0)
    opened.dispose()
  }, 120_000)
})
