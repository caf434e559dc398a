const ALIGN = 64
const PAGE = 65536

/**
 * A bump allocator over a WebAssembly.Memory: byte offsets aligned to 64 (a cache line), growing
 * the memory when needed. No free: allocate a model's buffers once, reuse them every step.
 */
export class Arena {
  private top: number

  /** `start`: the first byte the arena may use (leave room below for other data). */
  constructor(
    readonly memory: WebAssembly.Memory,
    start = ALIGN,
  ) {
    this.top = Math.ceil(start / ALIGN) * ALIGN
  }

  /** Reserves `floats` float32s; returns their byte offset. */
  allocFloats(floats: number): number {
    return this.allocBytes(floats * 4)
  }

  allocBytes(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0)
      throw new RangeError(`Arena.allocBytes(${bytes}): not a byte count`)
    const offset = this.top
    const end = offset + Math.ceil(bytes / ALIGN) * ALIGN
    const have = this.memory.buffer.byteLength
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE))
    this.top = end
    return offset
  }

  /** A Float32Array view of `floats` floats at byte `offset` (re-take views after the memory grows). */
  f32(offset: number, floats: number): Float32Array {
    return new Float32Array(this.memory.buffer, offset, floats)
  }
}
