/**
 * 16-bit floats as safetensors stores them: IEEE half precision (F16) and bfloat16 (BF16, the top
 * half of a float32). Both encoders round to nearest, ties to even, as PyTorch's casts do.
 */

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

/** The F16 bits of a number (rounded to float32 first; overflow gives ±Infinity, NaN stays NaN). */
export function toHalfBits(value: number): number {
  f32[0] = value
  const x = u32[0]!
  const sign = (x >>> 16) & 0x8000
  const exponent = (x >>> 23) & 0xff
  const mantissa = x & 0x7fffff
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0)
  const e = exponent - 127 + 15
  if (e >= 0x1f) return sign | 0x7c00
  // A normal half keeps 10 of the 23 mantissa bits; a subnormal one fewer, down to none.
  const full = e > 0 ? mantissa : mantissa | 0x800000
  const shift = e > 0 ? 13 : 14 - e
  if (shift > 24) return sign
  let half = (e > 0 ? e << 10 : 0) | (full >>> shift)
  const rest = full & ((1 << shift) - 1)
  const tie = 1 << (shift - 1)
  if (rest > tie || (rest === tie && half & 1)) half++ // a carry into the exponent is still right
  return sign | half
}

/** The number an F16 bit pattern holds. */
export function fromHalfBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >>> 10) & 0x1f
  const mantissa = bits & 0x3ff
  if (exponent === 0) return sign * mantissa * 2 ** -24
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15)
}

/** The BF16 bits of a number (rounded to float32 first). */
export function toBFloat16Bits(value: number): number {
  f32[0] = value
  const x = u32[0]!
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return (x >>> 16) | 0x40 // NaN stays NaN
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff
}

/** The number a BF16 bit pattern holds. */
export function fromBFloat16Bits(bits: number): number {
  u32[0] = (bits & 0xffff) << 16
  return f32[0]!
}
