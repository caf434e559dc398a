import type { Arena } from '../arena.js'

/**
 * Scratch memory from the arena that only grows (at least doubling, so a sequence of growing
 * requests allocates O(log n) times): where `gemm` packs B and `gemmPacked` packs Aᵀ.
 */
export class Workspace {
  offset = 0
  bytes = 0
  constructor(
    private readonly arena: Arena | undefined,
    private readonly missing: string,
  ) {}

  /** The offset of at least `bytes` bytes of scratch. */
  reserve(bytes: number): number {
    if (bytes > this.bytes) {
      if (!this.arena) throw new Error(this.missing)
      const grown = Math.max(bytes, this.bytes * 2)
      this.offset = this.arena.allocBytes(grown)
      this.bytes = grown
    }
    return this.offset
  }
}
