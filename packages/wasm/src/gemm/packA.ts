import type { FunctionBuilder } from '../emit/functionBuilder.js'
import type { ModuleBuilder } from '../emit/moduleBuilder.js'
import type { Tiling } from './tiling.js'

/**
 * Emits packA(M, K, a, rsA, csA, dst): copies A(i, k) = a[i*rsA + k*csA] (strides in floats,
 * pointers in bytes) into panels of mr rows: panel q holds K columns of mr contiguous floats at
 * dst + q*K*mr*4, zero-padded past M. Used for Aᵀ with a power-of-two row stride, where reading
 * A in place touches one cache line per k, all mapping to the same few L1 sets.
 */
export const emitPackA = (mod: ModuleBuilder, tiling: Tiling): FunctionBuilder => {
  const fn = mod.function('packA', [
    ['M', 'i32'],
    ['K', 'i32'],
    ['a', 'i32'],
    ['rsA', 'i32'],
    ['csA', 'i32'],
    ['dst', 'i32'],
  ])
  const [M, K, a, rsA, csA, dst] = fn.paramList('M', 'K', 'a', 'rsA', 'csA', 'dst')
  const { mr } = tiling
  const row0 = fn.local('i32', 'row0')
  const k = fn.local('i32', 'k')
  const out = fn.local('i32', 'out')
  const src = fn.local('i32', 'src')
  const rowStep = fn.local('i32', 'rowStep')
  const colStep = fn.local('i32', 'colStep')
  fn.get(rsA).i32(4).op('i32Mul').set(rowStep)
  fn.get(csA).i32(4).op('i32Mul').set(colStep)
  fn.get(dst).set(out)
  fn.forLoop(
    row0,
    () => fn.i32(0),
    () => fn.get(M),
    mr,
    () => {
      fn.get(a).get(row0).get(rowStep).op('i32Mul').op('i32Add').set(src)
      fn.forLoop(
        k,
        () => fn.i32(0),
        () => fn.get(K),
        1,
        () => {
          for (let r = 0; r < mr; r++) {
            fn.get(row0).i32(r).op('i32Add').get(M).op('i32LtS')
            fn.ifElse(
              () =>
                fn
                  .get(out)
                  .get(src)
                  .i32(r)
                  .get(rowStep)
                  .op('i32Mul')
                  .op('i32Add')
                  .load('f32')
                  .store('f32', r * 4),
              () =>
                fn
                  .get(out)
                  .f32(0)
                  .store('f32', r * 4),
            )
          }
          fn.increment(out, mr * 4)
          fn.increment(src, colStep)
        },
      )
    },
  )
  return fn
}
