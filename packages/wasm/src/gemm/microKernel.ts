import type { FunctionBuilder, Local } from '../emit/functionBuilder.js'
import type { ModuleBuilder } from '../emit/moduleBuilder.js'
import type { Tiling } from './tiling.js'

/** Parameters of every micro-kernel: pointers and strides in bytes. */
export const microKernelParams = [
  ['kc', 'i32'],
  ['a', 'i32'],
  ['rsA', 'i32'],
  ['csA', 'i32'],
  ['bp', 'i32'],
  ['c', 'i32'],
  ['ldc', 'i32'],
  ['alpha', 'f32'],
  ['accumulate', 'i32'],
  ['nValid', 'i32'],
] as const

/**
 * Emits the register-tiled kernel for `rows` (1..mr) rows of C and one packed panel of B:
 *   C[rows x nValid] (+)= alpha * A[rows x kc] * Bpanel[kc x nr]
 * A(i, k) is read at a + i*rsA + k*csA (any layout, so A and Aᵀ need no packing); Bpanel is
 * kc rows of nr contiguous floats. Each k step loads nr/4 vectors of B, broadcasts one A value
 * per row and does rows*nr/4 multiply-adds into accumulators that live in registers.
 */
export const emitMicroKernel = (mod: ModuleBuilder, tiling: Tiling, rows: number): FunctionBuilder => {
  const fn = mod.function(`tile${rows}x${tiling.nr}`, microKernelParams, [], { exported: false })
  const p = (name: (typeof microKernelParams)[number][0]) => fn.param(name)
  const vectors = tiling.nr / 4
  const acc: Local[][] = []
  for (let r = 0; r < rows; r++) {
    acc.push([])
    for (let v = 0; v < vectors; v++) acc[r]!.push(fn.local('v128', `acc${r}_${v}`))
  }
  const bVec = Array.from({ length: vectors }, (_, v) => fn.local('v128', `b${v}`))
  const aSplat = fn.local('v128', 'aSplat')
  const aRow = Array.from({ length: rows }, (_, r) => fn.local('i32', `aRow${r}`))
  const k = fn.local('i32', 'k')
  const bp = p('bp')

  for (const row of acc) for (const a of row) fn.f32x4(0).set(a)
  fn.get(p('a')).set(aRow[0]!)
  for (let r = 1; r < rows; r++)
    fn.get(aRow[r - 1]!)
      .get(p('rsA'))
      .op('i32Add')
      .set(aRow[r]!)

  fn.forLoop(
    k,
    () => fn.i32(0),
    () => fn.get(p('kc')),
    1,
    () => {
      for (let v = 0; v < vectors; v++)
        fn.get(bp)
          .load('v128', v * 16)
          .set(bVec[v]!)
      for (let r = 0; r < rows; r++) {
        fn.get(aRow[r]!).load('splat32').set(aSplat)
        for (let v = 0; v < vectors; v++) {
          fn.get(acc[r]![v]!).get(bVec[v]!).get(aSplat).simd('f32x4Mul').simd('f32x4Add').set(acc[r]![v]!)
        }
        fn.increment(aRow[r]!, p('csA'))
      }
      fn.increment(bp, tiling.nr * 4)
    },
  )
  emitTileStore(fn, tiling, acc)
  return fn
}

/** Writes the accumulators to C: whole vectors when the panel is full, single lanes at the edge. */
const emitTileStore = (fn: FunctionBuilder, tiling: Tiling, acc: Local[][]): void => {
  const alpha = fn.local('v128', 'alphaV')
  const cRow = fn.local('i32', 'cRow')
  fn.get(fn.param('alpha')).simd('f32x4Splat').set(alpha)
  const eachRow = (body: (r: number) => void) => {
    fn.get(fn.param('c')).set(cRow)
    for (let r = 0; r < acc.length; r++) {
      body(r)
      fn.increment(cRow, fn.param('ldc'))
    }
  }
  const scaled = (r: number, v: number) => fn.get(acc[r]![v]!).get(alpha).simd('f32x4Mul')
  const fullStore = (accumulate: boolean) =>
    eachRow((r) => {
      for (let v = 0; v < acc[r]!.length; v++) {
        fn.get(cRow)
        if (accumulate) fn.get(cRow).load('v128', v * 16)
        scaled(r, v)
        if (accumulate) fn.simd('f32x4Add')
        fn.store('v128', v * 16)
      }
    })
  const laneStore = (accumulate: boolean) =>
    eachRow((r) => {
      for (let v = 0; v < acc[r]!.length; v++) {
        for (let lane = 0; lane < 4; lane++) {
          const column = v * 4 + lane
          fn.i32(column).get(fn.param('nValid')).op('i32LtS')
          fn.ifElse(() => {
            fn.get(cRow)
            scaled(r, v).simdLane('f32x4ExtractLane', lane)
            if (accumulate)
              fn.get(cRow)
                .load('f32', column * 4)
                .op('f32Add')
            fn.store('f32', column * 4)
          })
        }
      }
    })
  fn.get(fn.param('nValid')).i32(tiling.nr).op('i32Eq')
  fn.ifElse(
    () => {
      fn.get(fn.param('accumulate'))
      fn.ifElse(
        () => fullStore(true),
        () => fullStore(false),
      )
    },
    () => {
      fn.get(fn.param('accumulate'))
      fn.ifElse(
        () => laneStore(true),
        () => laneStore(false),
      )
    },
  )
}
