import { GraphBuilder, log, lstm, mul, sequenceGraph } from '@cellgraph/graph'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Backend, cpuBackend, referenceBackend, wasmCpuBackend } from '../src/index.js'
import { randomInputs } from './support/run.js'

const runs = Number(process.env.CELLGRAPH_PROPERTY_RUNS ?? 40)

/** y = log(x) over a tensor of n values: a non-positive x gives a non-finite y. */
function logGraph(n: number) {
  const b = new GraphBuilder()
  const x = b.leaf('input', 'x', { name: 'x', type: { layout: 'tensor', shape: [n] } })
  return b.build([{ name: 'y', value: log(x) }])
}

describe.each([
  ['cpu-js', cpuBackend()],
  ['cpu', wasmCpuBackend({ threads: 1 })],
] as const)('outputs written into targets (%s)', (_, backend: Backend) => {
  it('a target of the wrong size is refused, naming the output and both dims', async () => {
    const exe = await backend.compile(logGraph(4))
    const x = backend.upload({ dims: [4], data: [1, 2, 3, 4] })
    const small = backend.upload({ dims: [3], data: [0, 0, 0] })
    await expect(exe.run({ x }, { into: { y: small } })).rejects.toThrow(
      "into 'y': the target has dims [3], the output [4]",
    )
    expect(Array.from(await small.read())).toEqual([0, 0, 0])
    small.dispose()
    await expect(exe.run({ x }, { into: { y: small } })).rejects.toThrow('this tensor was disposed')
  })

  it('each value lands in the target, and a non-finite one fails naming the output and element', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 37 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, -1)), { maxLength: 2 }),
        async (n, bad) => {
          const x = Array.from({ length: n }, (_, i) => 1 + i / 7)
          for (const [at, v] of bad) x[at % n] = v
          const exe = await backend.compile(logGraph(n))
          const target = backend.upload({ dims: [n], data: new Float64Array(n) })
          const run = exe.run({ x: backend.upload({ dims: [n], data: x }) }, { into: { y: target } })
          const first = x.findIndex((v) => v <= 0)
          if (first < 0) {
            const out = await run
            expect(out.y).toBe(target)
            expect(Array.from(await target.read())).toEqual(
              x.map((v) => Math.fround(Math.log(Math.fround(v)))),
            )
          } else {
            const value = x[first] === 0 ? '-Infinity' : 'NaN'
            await expect(run).rejects.toThrow(`output 'y' holds ${value} at element ${first} (cpu backend)`)
          }
          exe.dispose()
        },
      ),
      { numRuns: runs },
    )
  })

  it.each([
    ['reference', referenceBackend()],
    ['cpu-js', cpuBackend()],
    ['another cpu (its own memory)', wasmCpuBackend({ threads: 1 })],
  ] as const)('a target of another backend (%s) is written and checked too', async (_, other) => {
    const exe = await backend.compile(logGraph(5))
    const target = other.upload({ dims: [5], data: [0, 0, 0, 0, 0] })
    const x = (data: number[]) => backend.upload({ dims: [5], data })
    await exe.run({ x: x([1, 2, 4, 8, 16]) }, { into: { y: target } })
    expect(Array.from(await target.read())).toEqual([1, 2, 4, 8, 16].map((v) => Math.fround(Math.log(v))))
    await expect(exe.run({ x: x([1, 2, 4, 8, -1]) }, { into: { y: target } })).rejects.toThrow(
      "output 'y' holds NaN at element 4 (cpu backend)",
    )
  })

  it('a weight written into by another run is packed again by the executable that reads it', async () => {
    const model = sequenceGraph([lstm({ input: 2, hidden: 3 })])
    const host = randomInputs(model, 2, 4)
    const W = 'l0.i.W'
    const b = new GraphBuilder()
    const w = b.leaf('input', 'w', { name: 'w', type: { layout: 'tensor', shape: host[W]!.dims } })
    const halve = await backend.compile(b.build([{ name: 'half', value: mul(w, 0.5) }]))
    const exe = await backend.compile(model)
    const bound = Object.fromEntries(Object.entries(host).map(([k, t]) => [k, backend.upload(t)]))
    await exe.run(bound) // packs the weights
    await halve.run({ w: bound[W]! }, { into: { half: bound[W]! } })
    const y = await (await exe.run(bound)).y!.read()
    const halved = { ...host, [W]: { dims: host[W]!.dims, data: Array.from(host[W]!.data, (v) => v * 0.5) } }
    const ref = referenceBackend()
    const oracle = await ref.compile(model)
    const refInputs = Object.fromEntries(Object.entries(halved).map(([k, t]) => [k, ref.upload(t)]))
    const want = await (await oracle.run(refInputs)).y!.read()
    for (let i = 0; i < want.length; i++) expect(y[i]).toBeCloseTo(want[i]!, 5)
  })
})
