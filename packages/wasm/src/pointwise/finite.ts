import type { ModuleBuilder } from '../emit/moduleBuilder.js'

/**
 * Emits name(n, src, dst) → i32 (copy) or name(n, src) → i32: 1 when every one of the n floats
 * at byte `src` is finite, 0 when one is NaN or ±Infinity; the copying form also copies them to
 * byte `dst` in the same pass (src may equal dst). Each value adds v − v to a vector accumulator:
 * 0 for a finite value, NaN for any other, and the NaN stays.
 */
export const emitFinite = (mod: ModuleBuilder, name: string, copy: boolean): void => {
  const params: [string, 'i32'][] = [
    ['n', 'i32'],
    ['src', 'i32'],
  ]
  if (copy) params.push(['dst', 'i32'])
  const fn = mod.function(name, params, ['i32'])
  const n = fn.param('n')
  const src = fn.param('src')
  const dst = copy ? fn.param('dst') : undefined
  const i = fn.local('i32', 'i')
  const at = fn.local('i32', 'at')
  const v = fn.local('v128', 'v')
  const acc = fn.local('v128', 'acc')
  const s = fn.local('f32', 's')
  const x = fn.local('f32', 'x')
  // byte offset of float i, left in `at`
  const offset = () => fn.get(i).i32(4).op('i32Mul').tee(at)
  fn.i32x4(0).set(acc)
  fn.forLoop(
    i,
    () => fn.i32(0),
    () => fn.get(n).i32(3).op('i32Sub'),
    4,
    () => {
      fn.get(src)
      offset().op('i32Add').load('v128').set(v)
      if (dst) fn.get(dst).get(at).op('i32Add').get(v).store('v128')
      fn.get(acc).get(v).get(v).simd('f32x4Sub').simd('f32x4Add').set(acc)
    },
  )
  fn.get(acc).simdLane('f32x4ExtractLane', 0)
  for (let lane = 1; lane < 4; lane++) fn.get(acc).simdLane('f32x4ExtractLane', lane).op('f32Add')
  fn.set(s)
  // i continues where the vector loop stopped
  fn.forLoop(
    i,
    () => fn.get(i),
    () => fn.get(n),
    1,
    () => {
      fn.get(src)
      offset().op('i32Add').load('f32').set(x)
      if (dst) fn.get(dst).get(at).op('i32Add').get(x).store('f32')
      fn.get(s).get(x).get(x).op('f32Sub').op('f32Add').set(s)
    },
  )
  fn.get(s).get(s).op('f32Eq')
}
