/** A growable byte buffer with the encodings the WebAssembly binary format uses. */
export class ByteWriter {
  private bytes = new Uint8Array(256)
  private length = 0

  get size(): number {
    return this.length
  }

  u8(byte: number): this {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2)
      grown.set(this.bytes)
      this.bytes = grown
    }
    this.bytes[this.length++] = byte & 0xff
    return this
  }

  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.u8(bytes[i]!)
    return this
  }

  /** Unsigned LEB128 (sizes, indices, alignments, offsets). */
  uleb(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`uleb: ${value} is not a u32`)
    }
    let v = value
    do {
      let byte = v & 0x7f
      v = Math.floor(v / 128)
      if (v !== 0) byte |= 0x80
      this.u8(byte)
    } while (v !== 0)
    return this
  }

  /** Signed LEB128 (i32.const immediates). */
  sleb(value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
      throw new RangeError(`sleb: ${value} is not an i32`)
    }
    let v = value | 0
    for (;;) {
      const byte = v & 0x7f
      v >>= 7
      const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)
      this.u8(done ? byte : byte | 0x80)
      if (done) return this
    }
  }

  f32(value: number): this {
    const scratch = new DataView(new ArrayBuffer(4))
    scratch.setFloat32(0, value, true)
    for (let i = 0; i < 4; i++) this.u8(scratch.getUint8(i))
    return this
  }

  /** A UTF-8 name prefixed by its byte length. */
  name(text: string): this {
    const utf8 = new TextEncoder().encode(text)
    return this.uleb(utf8.length).raw(utf8)
  }

  /** Appends another writer's bytes prefixed by their length (sections, function bodies). */
  sized(inner: ByteWriter): this {
    return this.uleb(inner.size).raw(inner.finish())
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.length)
  }
}
