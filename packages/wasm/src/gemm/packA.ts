import type { FunctionBuilder } from '../emit/functionBuilder.js'
import type { ModuleBuilder } from '../emit/moduleBuilder.js'
import type { Tiling } from './tiling.js'

/**
 * Emits packA(M, K, a, rsA, csA, dst, p0, p1): copies A(i, k) = a[i*rsA + k*csA] (strides in
 * floats, pointers in bytes) into panels of mr rows, panels p0..p1-1: panel q holds K columns of
 * mr contiguous floats at dst + q*K*mr*4, zero-padded past M. Used for Aᵀ with a power-of-two row
 * stride, where reading A in place touches one cache line per k, all mapping to the same few L1
 * sets. A whole panel copies its mr floats per k without a test per float.
 */
export const emitPackA = (mod: ModuleBuilder, tiling: Tiling): FunctionBuilder => {
  const fn = mod.function('packA', [
    ['M', 'i32'],
    ['K', 'i32'],
    ['a', 'i32'],
    ['rsA', 'i32'],
    ['csA', 'i32'],
    ['dst', 'i32'],
    ['p0', 'i32'],
    ['p1', 'i32'],
  ])
  const [M, K, a, rsA, csA, dst, p0, p1] = fn.paramList('M', 'K', 'a', 'rsA', 'csA', 'dst', 'p0', 'p1')
  const { mr } = tiling
  const panel = fn.local('i32', 'panel')
  const row0 = fn.local('i32', 'row0')
  const k = fn.local('i32', 'k')
  const out = fn.local('i32', 'out')
  const src = fn.local('i32', 'src')
  const rowStep = fn.local('i32', 'rowStep')
  const colStep = fn.local('i32', 'colStep')
  fn.get(rsA).i32(4).op('i32Mul').set(rowStep)
  fn.get(csA).i32(4).op('i32Mul').set(colStep)
  /** out[r] = A(row0 + r, k) */
  const copy = (r: number) => {
    fn.get(out).get(src).i32(r).get(rowStep).op('i32Mul').op('i32Add')
    fn.load('f32').store('f32', r * 4)
  }
  const columns = (body: () => void) =>
    fn.forLoop(
      k,
      () => fn.i32(0),
      () => fn.get(K),
      1,
      () => {
        body()
        fn.increment(out, mr * 4)
        fn.increment(src, colStep)
      },
    )
  fn.forLoop(
    panel,
    () => fn.get(p0),
    () => fn.get(p1),
    1,
    () => {
      fn.get(panel).i32(mr).op('i32Mul').set(row0)
      fn.get(dst)
        .get(panel)
        .get(K)
        .op('i32Mul')
        .i32(mr * 4)
        .op('i32Mul')
        .op('i32Add')
        .set(out)
      fn.get(a).get(row0).get(rowStep).op('i32Mul').op('i32Add').set(src)
      fn.get(row0).i32(mr).op('i32Add').get(M).op('i32LeS')
      fn.ifElse(
        // a whole panel
        () =>
          columns(() => {
            for (let r = 0; r < mr; r++) copy(r)
          }),
        // the last rows, zero-padded
        () =>
          columns(() => {
            for (let r = 0; r < mr; r++) {
              fn.get(row0).i32(r).op('i32Add').get(M).op('i32LtS')
              fn.ifElse(
                () => copy(r),
                () =>
                  fn
                    .get(out)
                    .f32(0)
                    .store('f32', r * 4),
              )
            }
          }),
      )
    },
  )
  return fn
}
