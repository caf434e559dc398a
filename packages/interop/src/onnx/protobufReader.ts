import { InteropError } from '../errors.js'

/** One field of a Protocol Buffers message: a varint, a fixed-size number or a length-delimited slice. */
export type ProtoValue =
  | { readonly wire: 0; readonly value: bigint }
  | { readonly wire: 1 | 5; readonly bytes: Uint8Array }
  | { readonly wire: 2; readonly bytes: Uint8Array }

/**
 * A decoded message: its fields by number, in order. Every length is checked against the buffer,
 * so a truncated or lying file fails with an error naming `what`, never reading past the end.
 */
export class ProtoMessage {
  readonly fields = new Map<number, ProtoValue[]>()

  constructor(
    bytes: Uint8Array,
    readonly what: string,
  ) {
    let at = 0
    const varint = (): bigint => {
      let result = 0n
      for (let shift = 0n; shift < 70n; shift += 7n) {
        if (at >= bytes.length) throw new InteropError(`${what}: truncated (a varint runs past the end)`)
        const b = bytes[at++]!
        result |= BigInt(b & 0x7f) << shift
        if (b < 0x80) return result
      }
      throw new InteropError(`${what}: a varint is longer than 10 bytes`)
    }
    const take = (n: number): Uint8Array => {
      if (n > bytes.length - at)
        throw new InteropError(`${what}: a field claims ${n} bytes, only ${bytes.length - at} remain`)
      const slice = bytes.subarray(at, at + n)
      at += n
      return slice
    }
    while (at < bytes.length) {
      const tag = varint()
      const field = Number(tag >> 3n)
      const wire = Number(tag & 7n)
      let value: ProtoValue
      if (wire === 0) value = { wire, value: varint() }
      else if (wire === 1) value = { wire, bytes: take(8) }
      else if (wire === 5) value = { wire, bytes: take(4) }
      else if (wire === 2) value = { wire, bytes: take(Number(varint())) }
      else throw new InteropError(`${what}: field ${field} has unsupported wire type ${wire}`)
      if (field < 1) throw new InteropError(`${what}: field number ${field} is not valid`)
      const list = this.fields.get(field)
      if (list) list.push(value)
      else this.fields.set(field, [value])
    }
  }

  private all(field: number): ProtoValue[] {
    return this.fields.get(field) ?? []
  }

  /** An int field (the last one wins, as in protobuf); int64 as a signed number. */
  int(field: number, fallback = 0): number {
    const v = this.all(field).at(-1)
    if (!v) return fallback
    if (v.wire !== 0) throw new InteropError(`${this.what}: field ${field} should be an integer`)
    return Number(BigInt.asIntN(64, v.value))
  }

  /** A repeated int field, packed or not. */
  ints(field: number): number[] {
    const out: number[] = []
    for (const v of this.all(field)) {
      if (v.wire === 0) out.push(Number(BigInt.asIntN(64, v.value)))
      else if (v.wire === 2) {
        out.push(...unpackVarints(v.bytes, this.what))
      } else throw new InteropError(`${this.what}: field ${field} should hold integers`)
    }
    return out
  }

  /** A float field (fixed32). */
  float(field: number, fallback = 0): number {
    const v = this.all(field).at(-1)
    if (!v) return fallback
    if (v.wire !== 5) throw new InteropError(`${this.what}: field ${field} should be a float`)
    return new DataView(v.bytes.buffer, v.bytes.byteOffset, 4).getFloat32(0, true)
  }

  /** A repeated float field, packed or not. */
  floats(field: number): number[] {
    return this.fixed(field, 5, (view, i) => view.getFloat32(i, true))
  }

  /** A repeated double field, packed or not. */
  doubles(field: number): number[] {
    return this.fixed(field, 1, (view, i) => view.getFloat64(i, true))
  }

  /** Fixed-size numbers (wire type 5: 4 bytes, 1: 8 bytes), one per field or packed together. */
  private fixed(field: number, wire: 1 | 5, read: (view: DataView, at: number) => number): number[] {
    const size = wire === 5 ? 4 : 8
    const out: number[] = []
    for (const v of this.all(field)) {
      if (v.wire !== wire && v.wire !== 2)
        throw new InteropError(`${this.what}: field ${field} should hold ${size}-byte numbers`)
      const { bytes } = v as { bytes: Uint8Array }
      if (bytes.byteLength % size !== 0)
        throw new InteropError(`${this.what}: packed ${size}-byte numbers in ${bytes.byteLength} bytes`)
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      for (let i = 0; i < bytes.byteLength; i += size) out.push(read(view, i))
    }
    return out
  }

  bytes(field: number): Uint8Array | undefined {
    const v = this.all(field).at(-1)
    if (!v) return undefined
    if (v.wire !== 2) throw new InteropError(`${this.what}: field ${field} should be bytes`)
    return v.bytes
  }

  string(field: number, fallback = ''): string {
    const b = this.bytes(field)
    return b ? decodeUtf8(b, this.what) : fallback
  }

  strings(field: number): string[] {
    return this.all(field).map((v) => {
      if (v.wire !== 2) throw new InteropError(`${this.what}: field ${field} should hold strings`)
      return decodeUtf8(v.bytes, this.what)
    })
  }

  /** The nested messages of a repeated message field, each named `what` for its errors. */
  messages(field: number, what: (k: number) => string): ProtoMessage[] {
    return this.all(field).map((v, k) => {
      if (v.wire !== 2) throw new InteropError(`${this.what}: field ${field} should hold messages`)
      return new ProtoMessage(v.bytes, what(k))
    })
  }

  message(field: number, what: string): ProtoMessage | undefined {
    return this.messages(field, () => what).at(-1)
  }
}

function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new InteropError(`${what}: a string is not valid UTF-8`)
  }
}

function unpackVarints(bytes: Uint8Array, what: string): number[] {
  const out: number[] = []
  let at = 0
  while (at < bytes.length) {
    let result = 0n
    for (let shift = 0n; ; shift += 7n) {
      if (at >= bytes.length) throw new InteropError(`${what}: truncated packed integers`)
      if (shift > 63n) throw new InteropError(`${what}: a varint is longer than 10 bytes`)
      const b = bytes[at++]!
      result |= BigInt(b & 0x7f) << shift
      if (b < 0x80) break
    }
    out.push(Number(BigInt.asIntN(64, result)))
  }
  return out
}
