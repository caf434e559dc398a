import { type Graph, GraphBuilder, isfinite, mul, neg, rowsOf, rsqrt, sqrt } from '@cellgraph/graph'
import { afterAll, describe, expect, it } from 'vitest'
import { type Backend, cpuBackend, referenceBackend, wasmCpuBackend } from '../src/index.js'
import { testBackend } from './webgpu/testBackend.js'

// 11 features: the WebAssembly kernels' vector body and their tail. NaN comes from sqrt of a
// negative number, ±Infinity from rsqrt of 0, inside the same fused kernel as the test.
const x = [-1, 0, 2, 3e38, -3e38, 1e-30, -0.5, 7, 0, 1, -2]
const rows = [x, x.map((v) => -v)]

function finiteness(): Graph {
  const b = new GraphBuilder()
  const v = b.leaf('input', 'x', { name: 'x', type: rowsOf(x.length) })
  return b.build([
    { name: 'sqrt', value: isfinite(sqrt(v)) },
    { name: 'rsqrt', value: isfinite(rsqrt(v)) },
    { name: 'negRsqrt', value: isfinite(neg(rsqrt(v))) },
    // 3e38 squared: Infinity in float32, finite where a fused kernel computes in float64 (cpu-js)
    { name: 'square', value: isfinite(mul(v, v)) },
  ])
}

/** What each output must hold: Number.isFinite of the value in the kernels' precision. */
function expected(round: (v: number) => number): Record<string, number[]> {
  const at = (f: (v: number) => number) =>
    rows.flat().map((v) => (Number.isFinite(round(f(round(v)))) ? 1 : 0))
  return {
    sqrt: at(Math.sqrt),
    rsqrt: at((v) => 1 / Math.sqrt(v)),
    negRsqrt: at((v) => -1 / Math.sqrt(v)),
    square: at((v) => v * v),
  }
}
const float64 = (v: number) => v

const backends: Backend[] = []
afterAll(() => {
  for (const b of backends) b.dispose()
})

describe('isfinite: 0 exactly at NaN and ±Infinity on every backend', { timeout: 60_000 }, () => {
  it.each([
    ['reference', async () => referenceBackend({ checkFinite: false }), float64],
    ['cpu-js', async () => cpuBackend(), float64],
    ['cpu-wasm (SIMD kernels)', async () => wasmCpuBackend({ threads: 1 }), Math.fround],
    ['webgpu (exponent bits)', () => testBackend(), Math.fround],
  ] as const)('%s', async (_, open, round) => {
    const backend = await open()
    backends.push(backend)
    const exe = await backend.compile(finiteness())
    const out = await exe.run({ x: backend.upload({ dims: [rows.length, x.length], data: rows.flat() }) })
    const want = expected(round)
    for (const [name, values] of Object.entries(want)) {
      if (name !== 'square') expect(new Set(values).size, `${name} holds both answers`).toBe(2)
      expect(Array.from(await out[name]!.read()), name).toEqual(values)
    }
    exe.dispose()
  })
})
