/**
 * The few Protocol Buffers wire-format pieces an ONNX model needs: varints, strings, bytes and
 * nested messages, each as a field of a message under construction.
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = []
  private size = 0

  private push(bytes: Uint8Array) {
    this.chunks.push(bytes)
    this.size += bytes.length
  }

  private varint(value: number) {
    if (!Number.isSafeInteger(value)) throw new Error(`a varint must be a safe integer, got ${value}`)
    // A negative int64 is its two's complement: ten bytes.
    let v = value < 0 ? BigInt.asUintN(64, BigInt(value)) : BigInt(value)
    const bytes: number[] = []
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80)
      v >>= 7n
    }
    bytes.push(Number(v))
    this.push(Uint8Array.from(bytes))
  }

  private tag(field: number, wireType: 0 | 2 | 5) {
    this.varint(field * 8 + wireType)
  }

  /** An integer field (int32, int64, enum; negative values as int64). */
  int(field: number, value: number): this {
    this.tag(field, 0)
    this.varint(value)
    return this
  }

  /** A float field (fixed32). */
  float(field: number, value: number): this {
    this.tag(field, 5)
    const bytes = new Uint8Array(4)
    new DataView(bytes.buffer).setFloat32(0, value, true)
    this.push(bytes)
    return this
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2)
    this.varint(value.length)
    this.push(value)
    return this
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value))
  }

  /** A nested message field. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter()
    build(inner)
    return this.bytes(field, inner.finish())
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size)
    let offset = 0
    for (const c of this.chunks) {
      out.set(c, offset)
      offset += c.length
    }
    return out
  }
}
