import type { FunctionBuilder } from '../emit/functionBuilder.js'
import type { ModuleBuilder } from '../emit/moduleBuilder.js'

/** What a row reduction computes over each row. */
export type RowReduction = 'sum' | 'mean' | 'max'

/**
 * Emits name(rows, cols, src, ld, dst, ldo): dst[r·ldo] = the sum, mean or max of the `cols`
 * floats at src + r·ld (pointers in bytes, strides in floats). Sums accumulate in float64 (two
 * f64x2 accumulators, then the tail), as accurate as a float64 loop; max uses f32x4.max, so a NaN
 * in a row gives NaN rather than disappearing.
 */
export const emitRowReduce = (mod: ModuleBuilder, name: string, kind: RowReduction): FunctionBuilder => {
  const fn = mod.function(name, [
    ['rows', 'i32'],
    ['cols', 'i32'],
    ['src', 'i32'],
    ['ld', 'i32'],
    ['dst', 'i32'],
    ['ldo', 'i32'],
  ])
  const [rows, cols, src, ld, dst, ldo] = fn.paramList('rows', 'cols', 'src', 'ld', 'dst', 'ldo')
  const row = fn.local('i32', 'row')
  const col = fn.local('i32', 'col')
  const at = fn.local('i32', 'at')
  const rowBytes = fn.local('i32', 'rowBytes')
  const outBytes = fn.local('i32', 'outBytes')
  fn.get(ld!).i32(4).op('i32Mul').set(rowBytes)
  fn.get(ldo!).i32(4).op('i32Mul').set(outBytes)
  const address = () => fn.get(src!).get(col).i32(4).op('i32Mul').op('i32Add').tee(at)
  const vectorLoop = (body: () => void) =>
    fn.forLoop(
      col,
      () => fn.i32(0),
      () => fn.get(cols!).i32(3).op('i32Sub'),
      4,
      body,
    )
  // col continues where the vector loop stopped
  const tailLoop = (body: () => void) =>
    fn.forLoop(
      col,
      () => fn.get(col),
      () => fn.get(cols!),
      1,
      body,
    )

  const reduceRow =
    kind === 'max'
      ? () => {
          const acc = fn.local('v128', 'acc')
          const m = fn.local('f32', 'm')
          fn.f32x4(Number.NEGATIVE_INFINITY).set(acc)
          vectorLoop(() => {
            fn.get(acc)
            address().load('v128').simd('f32x4Max').set(acc)
          })
          fn.get(acc).simdLane('f32x4ExtractLane', 0).set(m)
          for (let lane = 1; lane < 4; lane++)
            fn.get(m).get(acc).simdLane('f32x4ExtractLane', lane).op('f32Max').set(m)
          tailLoop(() => {
            fn.get(m)
            address().load('f32').op('f32Max').set(m)
          })
          fn.get(dst!).get(m).store('f32')
        }
      : () => {
          const low = fn.local('v128', 'low')
          const high = fn.local('v128', 'high')
          const s = fn.local('f64', 's')
          fn.i32x4(0).set(low)
          fn.i32x4(0).set(high)
          vectorLoop(() => {
            fn.get(low)
            address().load('zero64').simd('f64x2PromoteLowF32x4').simd('f64x2Add').set(low)
            fn.get(high).get(at).load('zero64', 8).simd('f64x2PromoteLowF32x4').simd('f64x2Add').set(high)
          })
          fn.get(low).simdLane('f64x2ExtractLane', 0).get(low).simdLane('f64x2ExtractLane', 1).op('f64Add')
          fn.get(high).simdLane('f64x2ExtractLane', 0).op('f64Add')
          fn.get(high).simdLane('f64x2ExtractLane', 1).op('f64Add').set(s)
          tailLoop(() => {
            fn.get(s)
            address().load('f32').op('f64PromoteF32').op('f64Add').set(s)
          })
          fn.get(dst!).get(s)
          if (kind === 'mean') fn.get(cols!).op('f64ConvertI32S').op('f64Div')
          fn.op('f32DemoteF64').store('f32')
        }

  fn.forLoop(
    row,
    () => fn.i32(0),
    () => fn.get(rows!),
    1,
    () => {
      reduceRow()
      fn.increment(src!, rowBytes)
      fn.increment(dst!, outBytes)
    },
  )
  return fn
}
