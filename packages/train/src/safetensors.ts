/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON header
 * ({ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__: { string: string } }), then
 * the raw little-endian tensor data. Offsets are relative to the end of the header.
 */
import { nullMap } from '@cellgraph/graph'
import { fromBFloat16Bits, fromHalfBits, toBFloat16Bits, toHalfBits } from './halfFloat.js'
import { readSafetensorsHeader, SafetensorsError } from './safetensorsHeader.js'

export type Dtype = 'F32' | 'F64' | 'F16' | 'BF16' | 'I32' | 'I64'

export interface StoredTensor {
  readonly dtype: Dtype
  readonly shape: readonly number[]
  /** The values, as numbers (I64 is read through BigInt and must fit a double; F16, BF16 as float32). */
  readonly data: Float32Array | Float64Array | Int32Array
}

export interface Safetensors {
  readonly tensors: Readonly<Record<string, StoredTensor>>
  readonly metadata: Readonly<Record<string, string>>
}

const BYTES: Record<Dtype, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I32: 4, I64: 8 }
const HALF: Partial<Record<Dtype, { to: (v: number) => number; from: (bits: number) => number }>> = {
  F16: { to: toHalfBits, from: fromHalfBits },
  BF16: { to: toBFloat16Bits, from: fromBFloat16Bits },
}
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1

export { SafetensorsError }

const elementCount = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1)

/** Encodes tensors and string metadata as a safetensors file. Tensors are laid out in name order. */
export function encodeSafetensors(
  tensors: Readonly<Record<string, StoredTensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  // No prototype: a tensor named `__proto__` is written like any other, not dropped.
  const header = nullMap<unknown>()
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata
  const names = Object.keys(tensors).sort()
  let offset = 0
  for (const name of names) {
    const t = tensors[name]!
    if (t.data.length !== elementCount(t.shape))
      throw new SafetensorsError(`tensor '${name}': ${t.data.length} values for shape [${t.shape}]`)
    const size = t.data.length * BYTES[t.dtype]
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + size] }
    offset += size
  }
  // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
  // Plain Uint8Array and TextEncoder only: this runs in browsers, which have no Buffer.
  const unpadded = new TextEncoder().encode(JSON.stringify(header))
  const headerBytes = new Uint8Array(unpadded.length + ((8 - ((8 + unpadded.length) % 8)) % 8)).fill(0x20)
  headerBytes.set(unpadded)
  const out = new Uint8Array(8 + headerBytes.length + offset)
  const view = new DataView(out.buffer)
  view.setBigUint64(0, BigInt(headerBytes.length), true)
  out.set(headerBytes, 8)
  let at = 8 + headerBytes.length
  for (const name of names) {
    const t = tensors[name]!
    const bytes = t.data.length * BYTES[t.dtype]
    const half = HALF[t.dtype]
    if (half) for (let i = 0; i < t.data.length; i++) view.setUint16(at + 2 * i, half.to(t.data[i]!), true)
    else if (LITTLE_ENDIAN && t.dtype !== 'I64') {
      const typed =
        t.dtype === 'F32'
          ? Float32Array.from(t.data)
          : t.dtype === 'F64'
            ? Float64Array.from(t.data)
            : Int32Array.from(t.data)
      out.set(new Uint8Array(typed.buffer, typed.byteOffset, bytes), at)
    } else
      for (let i = 0; i < t.data.length; i++) {
        const v = t.data[i]!
        const o = at + i * BYTES[t.dtype]
        if (t.dtype === 'F32') view.setFloat32(o, v, true)
        else if (t.dtype === 'F64') view.setFloat64(o, v, true)
        else if (t.dtype === 'I32') view.setInt32(o, v, true)
        else view.setBigInt64(o, BigInt(v), true)
      }
    at += bytes
  }
  return out
}

/** Decodes a safetensors file, checking the header's structure and every tensor's byte range. */
export function decodeSafetensors(bytes: Uint8Array): Safetensors {
  const { entries, metadata, dataStart } = readSafetensorsHeader(bytes, BYTES)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const tensors = nullMap<StoredTensor>()
  for (const [name, e] of Object.entries(entries)) {
    const dtype = e.dtype as Dtype
    const count = (e.end - e.begin) / BYTES[dtype]
    tensors[name] = { dtype, shape: e.shape, data: readData(view, dataStart + e.begin, count, dtype) }
  }
  return { tensors, metadata }
}

function readData(view: DataView, at: number, count: number, dtype: Dtype) {
  const half = HALF[dtype]
  if (half) return Float32Array.from({ length: count }, (_, i) => half.from(view.getUint16(at + 2 * i, true)))
  if (LITTLE_ENDIAN && dtype !== 'I64') {
    // Copy out first: the data need not be aligned for a typed-array view.
    const bytes = new Uint8Array(view.buffer, view.byteOffset + at, count * BYTES[dtype]).slice()
    if (dtype === 'F32') return new Float32Array(bytes.buffer)
    if (dtype === 'F64') return new Float64Array(bytes.buffer)
    return new Int32Array(bytes.buffer)
  }
  if (dtype === 'F32') {
    const a = new Float32Array(count)
    for (let i = 0; i < count; i++) a[i] = view.getFloat32(at + 4 * i, true)
    return a
  }
  if (dtype === 'I32') {
    const a = new Int32Array(count)
    for (let i = 0; i < count; i++) a[i] = view.getInt32(at + 4 * i, true)
    return a
  }
  const a = new Float64Array(count)
  for (let i = 0; i < count; i++)
    a[i] = dtype === 'F64' ? view.getFloat64(at + 8 * i, true) : Number(view.getBigInt64(at + 8 * i, true))
  return a
}
