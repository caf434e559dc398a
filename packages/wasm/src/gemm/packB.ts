import type { FunctionBuilder } from '../emit/functionBuilder.js'
import type { ModuleBuilder } from '../emit/moduleBuilder.js'
import type { Tiling } from './tiling.js'

/**
 * Emits packB(K, N, b, rsB, csB, dst, p0, p1): copies panels p0..p1-1 of B(k, j) = b[k*rsB + j*csB]
 * (strides in floats, pointers in bytes) into panel-major order: panel p holds columns
 * p*nr..p*nr+nr-1 as K rows of nr contiguous floats at dst + p*K*nr*4, zero-padded past N.
 * Row-major B with whole panels copies vectors; Bᵀ and the edge panel go float by float.
 */
export const emitPackB = (mod: ModuleBuilder, tiling: Tiling): FunctionBuilder => {
  const fn = mod.function('packB', [
    ['K', 'i32'],
    ['N', 'i32'],
    ['b', 'i32'],
    ['rsB', 'i32'],
    ['csB', 'i32'],
    ['dst', 'i32'],
    ['p0', 'i32'],
    ['p1', 'i32'],
  ])
  const [K, N, b, rsB, csB, dst, p0, p1] = fn.paramList('K', 'N', 'b', 'rsB', 'csB', 'dst', 'p0', 'p1')
  const { nr } = tiling
  const panel = fn.local('i32', 'panel')
  const j0 = fn.local('i32', 'j0')
  const k = fn.local('i32', 'k')
  const out = fn.local('i32', 'out')
  const src = fn.local('i32', 'src')
  const rowStep = fn.local('i32', 'rowStep')
  const colStep = fn.local('i32', 'colStep')

  fn.get(rsB).i32(4).op('i32Mul').set(rowStep)
  fn.get(csB).i32(4).op('i32Mul').set(colStep)
  fn.forLoop(
    panel,
    () => fn.get(p0),
    () => fn.get(p1),
    1,
    () => {
      fn.get(panel).i32(nr).op('i32Mul').set(j0)
      // out = dst + panel*K*nr*4 ; src = b + j0*colStep
      fn.get(dst)
        .get(panel)
        .get(K)
        .op('i32Mul')
        .i32(nr * 4)
        .op('i32Mul')
        .op('i32Add')
        .set(out)
      fn.get(b).get(j0).get(colStep).op('i32Mul').op('i32Add').set(src)
      // vector copy when B is row-major and the panel is whole
      fn.get(csB).i32(1).op('i32Eq').get(j0).i32(nr).op('i32Add').get(N).op('i32LeS').op('i32And')
      fn.ifElse(
        () =>
          fn.forLoop(
            k,
            () => fn.i32(0),
            () => fn.get(K),
            1,
            () => {
              for (let v = 0; v < nr / 4; v++)
                fn.get(out)
                  .get(src)
                  .load('v128', v * 16)
                  .store('v128', v * 16)
              fn.increment(out, nr * 4)
              fn.increment(src, rowStep)
            },
          ),
        () =>
          fn.forLoop(
            k,
            () => fn.i32(0),
            () => fn.get(K),
            1,
            () => {
              for (let jj = 0; jj < nr; jj++) {
                fn.get(j0).i32(jj).op('i32Add').get(N).op('i32LtS')
                fn.ifElse(
                  () =>
                    fn
                      .get(out)
                      .get(src)
                      .i32(jj)
                      .get(colStep)
                      .op('i32Mul')
                      .op('i32Add')
                      .load('f32')
                      .store('f32', jj * 4),
                  () =>
                    fn
                      .get(out)
                      .f32(0)
                      .store('f32', jj * 4),
                )
              }
              fn.increment(out, nr * 4)
              fn.increment(src, rowStep)
            },
          ),
      )
    },
  )
  return fn
}
