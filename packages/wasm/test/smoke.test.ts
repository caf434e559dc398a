import { expect, test } from 'vitest'
import { Arena, buildKernelModule, createKernelsSync, defaultTiling } from '../src/index.js'
import { randomFloats, referenceProduct } from './reference.js'

test('smoke', () => {
  expect(WebAssembly.validate(buildKernelModule(defaultTiling, false) as BufferSource)).toBe(true)
  const memory = new WebAssembly.Memory({ initial: 1 })
  const arena = new Arena(memory)
  const k = createKernelsSync({ memory, arena })
  const [M, N, K] = [7, 13, 300]
  const a = arena.allocFloats(M * K)
  const b = arena.allocFloats(K * N)
  const c = arena.allocFloats(M * N)
  const av = randomFloats(M * K, 1)
  const bv = randomFloats(K * N, 2)
  arena.f32(a, M * K).set(av)
  arena.f32(b, K * N).set(bv)
  k.gemm(M, N, K, a, b, c)
  const ref = referenceProduct(M, N, K, av, bv, false, false, K, N)
  const got = arena.f32(c, M * N)
  let maxErr = 0
  for (let i = 0; i < M * N; i++) maxErr = Math.max(maxErr, Math.abs(got[i]! - ref[i]!))
  console.log(maxErr, got.slice(0, 4), ref.slice(0, 4))
  expect(maxErr).toBeLessThan(1e-3)
})
