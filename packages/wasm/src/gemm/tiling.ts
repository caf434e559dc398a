/**
 * Register tile and cache blocks of the matrix product. MR x NR is the block of C held in
 * f32x4 accumulators during the inner loop; KC x NR floats of packed B (one micro-panel) stay in
 * L1 while the kernel sweeps MC rows of A (MC x KC floats in L2); NC columns of packed B are the
 * slice of the weight reused across all row blocks (L2/L3).
 */
export interface Tiling {
  /** Rows of the register tile. */
  readonly mr: number
  /** Columns of the register tile (a multiple of 4: f32x4 lanes). Also the packed panel width. */
  readonly nr: number
  /** Depth of a K block. */
  readonly kc: number
  /** Rows of an A block. */
  readonly mc: number
  /** Columns of a B block (a multiple of nr). */
  readonly nc: number
}

export const defaultTiling: Tiling = { mr: 2, nr: 16, kc: 256, mc: 64, nc: 512 }

export const checkTiling = (t: Tiling): Tiling => {
  const positive = (name: keyof Tiling) => {
    if (!Number.isInteger(t[name]) || t[name] < 1)
      throw new RangeError(`tiling.${name} = ${t[name]}: must be a positive integer`)
  }
  for (const name of ['mr', 'nr', 'kc', 'mc', 'nc'] as const) positive(name)
  if (t.nr % 4 !== 0) throw new RangeError(`tiling.nr = ${t.nr}: must be a multiple of 4 (f32x4 lanes)`)
  if (t.nc % t.nr !== 0) throw new RangeError(`tiling.nc = ${t.nc}: must be a multiple of nr = ${t.nr}`)
  if (t.mr * (t.nr / 4) > 16) throw new RangeError(`tiling ${t.mr}x${t.nr}: more than 16 f32x4 accumulators`)
  return t
}
