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
    if (!Number.isSafeInteger(value) || value < 0)
      throw new Error(`a varint must be a safe non-negative integer, got ${value}`)
    const bytes: number[] = []
    let v = value
    while (v >= 0x80) {
      bytes.push((v % 0x80) | 0x80)
      v = Math.floor(v / 0x80)
    }
    bytes.push(v)
    this.push(Uint8Array.from(bytes))
  }

  private tag(field: number, wireType: 0 | 2) {
    this.varint(field * 8 + wireType)
  }

  /** An integer field (int32, int64, enum). */
  int(field: number, value: number): this {
    this.tag(field, 0)
    this.varint(value)
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
