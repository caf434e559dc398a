import { describe, expect, it } from 'vitest'
import {
  decodeSafetensors,
  encodeSafetensors,
  fromBFloat16Bits,
  fromHalfBits,
  toBFloat16Bits,
  toHalfBits,
} from '../src/index.js'

const isNaNBits = (bits: number, exponentMask: number, mantissaMask: number) =>
  (bits & exponentMask) === exponentMask && (bits & mantissaMask) !== 0

describe('16-bit floats', () => {
  it('every F16 and BF16 bit pattern round-trips (NaNs stay NaN)', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if (isNaNBits(bits, 0x7c00, 0x3ff)) expect(fromHalfBits(toHalfBits(fromHalfBits(bits)))).toBeNaN()
      else expect(toHalfBits(fromHalfBits(bits))).toBe(bits)
      if (isNaNBits(bits, 0x7f80, 0x7f))
        expect(fromBFloat16Bits(toBFloat16Bits(fromBFloat16Bits(bits)))).toBeNaN()
      else expect(toBFloat16Bits(fromBFloat16Bits(bits))).toBe(bits)
    }
  })

  it('F16 rounds to nearest, ties to even, with IEEE 754 binary16 limits', () => {
    expect(toHalfBits(1)).toBe(0x3c00)
    expect(toHalfBits(-2)).toBe(0xc000)
    expect(toHalfBits(65504)).toBe(0x7bff) // the largest half
    expect(toHalfBits(65520)).toBe(0x7c00) // rounds past it: infinity
    expect(toHalfBits(2 ** -24)).toBe(0x0001) // the smallest subnormal
    expect(toHalfBits(2 ** -26)).toBe(0) // below half of it: zero
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00) // a tie goes to the even neighbour
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02)
    expect(toHalfBits(3 * 2 ** -25)).toBe(0x0002) // a subnormal tie, to even
    expect(fromHalfBits(0x3555)).toBe(0.333251953125)
  })

  it('BF16 keeps float32 exponents and 8 mantissa bits, ties to even', () => {
    expect(toBFloat16Bits(1)).toBe(0x3f80)
    expect(toBFloat16Bits(1 + 2 ** -8)).toBe(0x3f80)
    expect(toBFloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82)
    expect(toBFloat16Bits(Number.POSITIVE_INFINITY)).toBe(0x7f80)
    expect(fromBFloat16Bits(0xc040)).toBe(-3)
  })

  it('safetensors stores F16 and BF16 tensors', () => {
    const bytes = encodeSafetensors({
      h: { dtype: 'F16', shape: [3], data: Float32Array.from([1, -0.5, 65504]) },
      b: { dtype: 'BF16', shape: [2], data: Float32Array.from([3, -1.5]) },
    })
    const { tensors } = decodeSafetensors(bytes)
    expect(Array.from(tensors.h!.data)).toEqual([1, -0.5, 65504])
    expect(Array.from(tensors.b!.data)).toEqual([3, -1.5])
  })
})
