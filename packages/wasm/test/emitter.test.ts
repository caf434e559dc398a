import { describe, expect, test } from 'vitest'
import { ByteWriter, ModuleBuilder } from '../src/index.js'

const hex = (w: ByteWriter) => Array.from(w.finish(), (b) => b.toString(16).padStart(2, '0')).join(' ')

describe('ByteWriter', () => {
  test('LEB128 matches the examples of the format description', () => {
    expect(hex(new ByteWriter().uleb(624485))).toBe('e5 8e 26')
    expect(hex(new ByteWriter().uleb(0))).toBe('00')
    expect(hex(new ByteWriter().uleb(128))).toBe('80 01')
    expect(hex(new ByteWriter().sleb(-123456))).toBe('c0 bb 78')
    expect(hex(new ByteWriter().sleb(-1))).toBe('7f')
    expect(hex(new ByteWriter().sleb(64))).toBe('c0 00')
    expect(hex(new ByteWriter().sleb(-64))).toBe('40')
  })

  test('f32 is little-endian IEEE 754', () => {
    expect(hex(new ByteWriter().f32(1))).toBe('00 00 80 3f')
    expect(hex(new ByteWriter().f32(-2.5))).toBe('00 00 20 c0')
  })

  test('rejects values outside 32 bits', () => {
    expect(() => new ByteWriter().uleb(-1)).toThrow(/uleb: -1/)
    expect(() => new ByteWriter().sleb(2 ** 31)).toThrow(/sleb/)
  })
})

describe('ModuleBuilder', () => {
  test('builds a valid module whose functions run: scalar loop, SIMD and a function import', () => {
    const mod = new ModuleBuilder({ shared: false })
    const twice = mod.importFunction('host', 'twice', ['i32'], ['i32'])
    // sum of n floats at p, four lanes at a time (n a multiple of 4), then twice(7)
    const sum = mod.function(
      'sum',
      [
        ['p', 'i32'],
        ['n', 'i32'],
      ],
      ['f32'],
    )
    const acc = sum.local('v128', 'acc')
    const i = sum.local('i32', 'i')
    sum.f32x4(0).set(acc)
    sum.forLoop(
      i,
      () => sum.i32(0),
      () => sum.get(sum.param('n')),
      4,
      () =>
        sum
          .get(acc)
          .get(sum.param('p'))
          .get(i)
          .i32(4)
          .op('i32Mul')
          .op('i32Add')
          .load('v128')
          .simd('f32x4Add')
          .set(acc),
    )
    sum.get(acc).simdLane('f32x4ExtractLane', 0)
    for (let lane = 1; lane < 4; lane++) sum.get(acc).simdLane('f32x4ExtractLane', lane).op('f32Add')
    const callsImport = mod.function('callsImport', [], ['i32'])
    callsImport.i32(7).call(twice)

    const bytes = mod.encode()
    expect(WebAssembly.validate(bytes as BufferSource)).toBe(true)
    const memory = new WebAssembly.Memory({ initial: 1 })
    new Float32Array(memory.buffer, 16, 8).set([1, 2, 3, 4, 5, 6, 7, 8])
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {
      env: { memory },
      host: { twice: (x: number) => 2 * x },
    })
    const exports = instance.exports as { sum(p: number, n: number): number; callsImport(): number }
    expect(exports.sum(16, 8)).toBe(36)
    expect(exports.callsImport()).toBe(14)
  })

  test('a shared-memory module validates and imports a shared memory', () => {
    const mod = new ModuleBuilder({ shared: true })
    mod.function('nothing', [])
    const bytes = mod.encode()
    expect(WebAssembly.validate(bytes as BufferSource)).toBe(true)
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true })
    expect(
      () => new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), { env: { memory } }),
    ).not.toThrow()
  })

  test('imports after functions and unknown parameters are named errors', () => {
    const mod = new ModuleBuilder({ shared: false })
    const fn = mod.function('f', [['x', 'i32']])
    expect(() => mod.importFunction('m', 'g', [], [])).toThrow(/import m.g: imports must precede functions/)
    expect(() => fn.param('y')).toThrow(/function f: no parameter named 'y'/)
  })
})
