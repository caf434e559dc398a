/**
 * How a fused pointwise kernel call (rows, cols, ptr₀, ld₀, ptr₁, ld₁, ...) is split between
 * threads: by rows, or by groups of four columns (whole SIMD vectors) when it has a single row (a
 * dense block run as one long row) or when an output is one row written by every row in turn
 * (row stride 0: a column sum adding row after row, which only a split by columns keeps in
 * order). `flags[k]` describes operand k: 1 = read once per row, 2 = an output. These functions
 * are also stringified into the helper thread's source, so they reference nothing outside
 * themselves.
 */

/** Whether a call is split by column groups rather than by rows. */
export function fusedByColumns(call: ArrayLike<number>, operands: number, flags: ArrayLike<number>): boolean {
  if (call[0]! <= 1) return true
  for (let k = 0; k < operands; k++) if (flags[k]! & 2 && call[3 + 2 * k] === 0) return true
  return false
}

/** The number of work units of a call: its rows, or its 4-column groups. */
export function fusedUnits(call: ArrayLike<number>, byColumns: boolean): number {
  return byColumns ? Math.ceil(call[1]! / 4) : call[0]!
}

/**
 * Writes into `out` the arguments of the chunk of units [first, end) of `call`, which has
 * `operands` (pointer, row stride) pairs. Pointers are bytes, strides floats.
 */
export function fusedChunk(
  call: ArrayLike<number>,
  operands: number,
  flags: ArrayLike<number>,
  byColumns: boolean,
  first: number,
  end: number,
  out: number[],
): void {
  const rows = call[0]!
  const cols = call[1]!
  if (!byColumns) {
    out[0] = end - first
    out[1] = cols
    for (let k = 0; k < operands; k++) {
      const ld = call[3 + 2 * k]!
      out[2 + 2 * k] = call[2 + 2 * k]! + first * ld * 4
      out[3 + 2 * k] = ld
    }
    return
  }
  const c0 = first * 4
  out[0] = rows
  out[1] = Math.min(end * 4, cols) - c0
  for (let k = 0; k < operands; k++) {
    out[2 + 2 * k] = call[2 + 2 * k]! + (flags[k]! & 1 ? 0 : c0 * 4)
    out[3 + 2 * k] = call[3 + 2 * k]!
  }
}
