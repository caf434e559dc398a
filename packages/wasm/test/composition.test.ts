import { expect, test } from 'vitest'
import { Arena, arrayKernels, createKernelsSync, ModuleBuilder } from '../src/index.js'
import { randomFloats, referenceProduct } from './reference.js'

test('a generated module imports gemmPacked and sigmoid and runs a whole recurrence in one call', () => {
  const memory = new WebAssembly.Memory({ initial: 4 })
  const arena = new Arena(memory)
  const kernels = createKernelsSync({ memory, arena })
  const [B, H, T] = [3, 5, 4]
  const W = arena.allocFloats(H * H)
  const h = arena.allocFloats(B * H)
  const next = arena.allocFloats(B * H)
  const wHost = randomFloats(H * H, 5)
  const h0 = randomFloats(B * H, 6)
  arena.f32(W, H * H).set(wHost)
  arena.f32(h, B * H).set(h0)
  const packed = kernels.packB(H, H, W, arena.allocBytes(kernels.packedBytes(H, H)))

  // scan(T, h, next): T times { next = h·W ; h = sigmoid(next) }
  const mod = new ModuleBuilder({ shared: false })
  const i32 = 'i32' as const
  const gemm = mod.importFunction(
    'kernels',
    'gemmPacked',
    [...Array(9).fill(i32), 'f32', i32, i32, i32, i32],
    [],
  )
  const sigmoid = mod.importFunction('kernels', 'sigmoid', Array(6).fill(i32), [])
  const scan = mod.function('scan', [
    ['T', 'i32'],
    ['h', 'i32'],
    ['next', 'i32'],
  ])
  const t = scan.local('i32', 't')
  scan.forLoop(
    t,
    () => scan.i32(0),
    () => scan.get(scan.param('T')),
    1,
    () => {
      // gemmPacked(M, N, K, a, rsA, csA, bp, c, ldc, alpha, accumulate, p0, p1, tileStep)
      scan.i32(B).i32(H).i32(H).get(scan.param('h')).i32(H).i32(1).i32(packed.offset)
      scan
        .get(scan.param('next'))
        .i32(H)
        .f32(1)
        .i32(0)
        .i32(0)
        .i32(Math.ceil(H / kernels.tiling.nr))
        .i32(H)
        .call(gemm)
      scan
        .i32(1)
        .i32(B * H)
        .get(scan.param('next'))
        .i32(0)
        .get(scan.param('h'))
        .i32(0)
        .call(sigmoid)
    },
  )
  const bytes = mod.encode()
  expect(WebAssembly.validate(bytes as BufferSource)).toBe(true)
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {
    env: { memory },
    kernels: kernels.exports as unknown as WebAssembly.ModuleImports,
  })
  ;(instance.exports.scan as (T: number, h: number, next: number) => void)(T, h, next)

  let state: ArrayLike<number> = h0
  for (let step = 0; step < T; step++)
    state = referenceProduct(B, H, H, state, wHost, false, false, H, H).map((x) => 1 / (1 + Math.exp(-x)))
  const got = arena.f32(h, B * H)
  for (let k = 0; k < B * H; k++) expect(Math.abs(got[k]! - state[k]!)).toBeLessThan(1e-6)
})

test('arrayKernels: Float32Array views of the memory, the CPU backend calling convention', () => {
  const memory = new WebAssembly.Memory({ initial: 2 })
  const arena = new Arena(memory)
  const ak = arrayKernels(createKernelsSync({ memory, arena }))
  const [m, n, k] = [3, 4, 5]
  const all = new Float32Array(memory.buffer, arena.allocFloats(200), 200)
  const a = randomFloats(m * k, 1)
  const b = randomFloats(k * n, 2)
  all.set(a, 10)
  all.set(b, 40)
  ak.gemm(m, n, k, all, 10, all, 40, false, all, 100, false)
  const ab = referenceProduct(m, n, k, a, b, false, false, k, n)
  ab.forEach((v, i) => expect(all[100 + i]).toBeCloseTo(v, 5))
  // gemmTN: C[k, n] = Aᵀ·B with A [m, k] at 10 and B [m, n] = the first m rows of b at 40
  ak.gemmTN(m, k, n, all, 10, all, 40, all, 150, false)
  const atb = referenceProduct(k, n, m, a, b, true, false, k, n)
  atb.forEach((v, i) => expect(all[150 + i]).toBeCloseTo(v, 5))
  expect(() => ak.gemm(1, 1, 1, new Float32Array(4), 0, all, 0, false, all, 0, false)).toThrow(
    /gemm: A is not a view of the kernels' WebAssembly.Memory/,
  )
})

test('arrayKernels: views taken before a shared memory grew stay usable', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 64, shared: true })
  const arena = new Arena(memory)
  const ak = arrayKernels(createKernelsSync({ memory, arena }))
  const before = arena.f32(arena.allocFloats(16), 16)
  before.set([1, 2, 3, 4])
  arena.allocFloats(70_000) // grows the memory: memory.buffer is a new object now
  const after = arena.f32(arena.allocFloats(16), 16)
  after.set([10, 20])
  // C[1x1] = [1 2] · [10 20]ᵀ, A and C from before the grow, B after it
  ak.gemm(1, 1, 2, before, 0, after, 0, true, before, 8, false)
  expect(before[8]).toBe(50)
})

test('arrayKernels: a plain memory that grew rejects views of its detached buffer', () => {
  const memory = new WebAssembly.Memory({ initial: 1 })
  const arena = new Arena(memory)
  const ak = arrayKernels(createKernelsSync({ memory, arena }))
  const before = arena.f32(arena.allocFloats(16), 16)
  arena.allocFloats(70_000)
  const after = arena.f32(arena.allocFloats(16), 16)
  expect(() => ak.gemm(1, 1, 2, before, 0, after, 0, true, after, 8, false)).toThrow(/gemm: A is not a view/)
  after.set([1, 2, 0, 0, 10, 20])
  ak.gemm(1, 1, 2, after, 0, after, 4, true, after, 8, false)
  expect(after[8]).toBe(50)
})
