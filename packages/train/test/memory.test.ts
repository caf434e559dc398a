import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { referenceBackend } from '@cellgraph/backends'
import { tensor } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { builtinModel, initParams, modelGraph, modelParams, Rng, StatefulModel } from '../src/index.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Heap in use after a full collection. */
const settledHeap = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

// The default run takes 60 000 steps; CELLGRAPH_LONG=1 (pnpm test:long) runs the full million.
const steps = process.env.CELLGRAPH_LONG ? 1_000_000 : 60_000

describe('stateful inference memory', () => {
  it(`stays flat over ${steps} steps`, { timeout: 600_000 }, async () => {
    const model = builtinModel('lstm', { vocabularySize: 4, hidden: 4, layers: 1 })
    const specs = modelParams(modelGraph(model))
    const init = initParams(model, specs, new Rng(1))
    const params = Object.fromEntries(specs.map((p) => [p.name, tensor(p.shape, init[p.name])]))
    const m = await StatefulModel.create(referenceBackend(), model, params)
    const warmup = steps / 10
    for (let i = 0; i < warmup; i++) await m.step(i % 4)
    const before = settledHeap()
    for (let i = warmup; i < steps; i++) await m.step(i % 4)
    const after = settledHeap()
    // Retaining even 8 bytes per step would grow the heap by 432 KB (60k) or 7 MB (1M).
    expect(after - before).toBeLessThan(256 * 1024)
  })
})
