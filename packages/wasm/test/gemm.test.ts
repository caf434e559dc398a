import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { buildKernelModule, createKernelsSync, defaultTiling, type Tiling } from '../src/index.js'
import { checkGemm, gemmCase, newArena } from './gemmCase.js'

const runs = Number(process.env.CELLGRAPH_PROPERTY_RUNS ?? 60)

/** Small blocks make small shapes cross every block edge (K blocks, row blocks, column slices). */
const tinyBlocks: Tiling = { mr: 2, nr: 8, kc: 5, mc: 6, nc: 16 }
const tilings: Array<[string, Tiling]> = [
  ['default', defaultTiling],
  ['tiny blocks', tinyBlocks],
  ['4x8 tiles', { mr: 4, nr: 8, kc: 7, mc: 12, nc: 24 }],
  ['3x12 tiles', { mr: 3, nr: 12, kc: 9, mc: 9, nc: 36 }],
]

describe('gemm against the float64 reference', () => {
  test.each(tilings)('the kernel module for %s tiling validates', (_, tiling) => {
    expect(WebAssembly.validate(buildKernelModule(tiling, false) as BufferSource)).toBe(true)
    expect(WebAssembly.validate(buildKernelModule(tiling, true) as BufferSource)).toBe(true)
  })

  test.each(tilings)('random shapes, transposes, strides, alpha, accumulate (%s tiling)', (_, tiling) => {
    fc.assert(
      fc.property(gemmCase(40), fc.boolean(), fc.boolean(), (cs, prepacked, packA) => {
        const arena = newArena(false)
        const packAFlops = packA ? 0 : Number.POSITIVE_INFINITY
        const kernels = createKernelsSync({ memory: arena.memory, arena, tiling, packAFlops })
        expect(checkGemm(kernels, arena, cs, prepacked)).toBeUndefined()
      }),
      { numRuns: runs },
    )
  })

  test('shapes larger than the default blocks (K > kc, M > mc, N > nc)', () => {
    const arena = newArena(false)
    const kernels = createKernelsSync({ memory: arena.memory, arena })
    const base = { padA: 1, padB: 0, padC: 2, alpha: 1, seed: 7 }
    for (const [transA, transB, accumulate] of [
      [false, false, false],
      [true, false, true],
      [false, true, false],
    ] as const) {
      const cs = { ...base, M: 67, N: 530, K: 300, transA, transB, accumulate }
      expect(checkGemm(kernels, arena, cs, false)).toBeUndefined()
    }
  })

  test('K = 0 writes zeros, or leaves C alone when accumulating', () => {
    const arena = newArena(false)
    const kernels = createKernelsSync({ memory: arena.memory, arena })
    const c = arena.allocFloats(6)
    arena.f32(c, 6).fill(3)
    kernels.gemm(2, 3, 0, 0, 0, c, { accumulate: true })
    expect([...arena.f32(c, 6)]).toEqual([3, 3, 3, 3, 3, 3])
    kernels.gemm(2, 3, 0, 0, 0, c)
    expect([...arena.f32(c, 6)]).toEqual([0, 0, 0, 0, 0, 0])
  })
})

describe('gemm errors name what is wrong', () => {
  const arena = newArena(false)
  const kernels = createKernelsSync({ memory: arena.memory, arena })
  test('operands past the end of memory', () => {
    expect(() => kernels.gemm(4, 4, 4, 0, 0, 10_000_000)).toThrow(
      /gemm: C \(M x N\): 4x4 floats .* past the memory/,
    )
    expect(() => kernels.gemm(1000, 4, 1000, 0, 0, 0)).toThrow(/gemm: A \(M x K\)/)
  })
  test('bad sizes and strides', () => {
    expect(() => kernels.gemm(-1, 4, 4, 0, 0, 0)).toThrow(/gemm: M = -1 is not a size/)
    expect(() => kernels.gemm(2, 4, 4, 0, 0, 0, { lda: 3 })).toThrow(/gemm: lda = 3, must be an integer >= 4/)
    expect(() => kernels.packB(4, 4, 0, 0, { transB: true, ldb: 2 })).toThrow(/packB: ldb = 2/)
  })
  test('unpacked B without a workspace', () => {
    const bare = createKernelsSync({ memory: arena.memory })
    expect(() => bare.gemm(2, 2, 2, 0, 0, 64)).toThrow(
      /pass `arena` to createKernels, or use packB \+ gemmPacked/,
    )
  })
  test('tilings the kernels cannot use', () => {
    expect(() => createKernelsSync({ memory: arena.memory, tiling: { nr: 6 } })).toThrow(
      /tiling.nr = 6: must be a multiple of 4/,
    )
    expect(() => createKernelsSync({ memory: arena.memory, tiling: { mr: 8, nr: 16 } })).toThrow(
      /more than 16/,
    )
  })
})
