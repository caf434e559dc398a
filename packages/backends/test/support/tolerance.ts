/**
 * The float32 tolerance every compiled backend meets against the float64 reference, stated once:
 * |got − want| ≤ abs + rel·|want|. Never loosened per case.
 */
export const FLOAT32_TOLERANCE = { abs: 1e-4, rel: 1e-3 } as const

/** The first element outside the tolerance, described, or undefined when all agree. */
export function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>): string | undefined {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!
    const w = want[i]!
    if (!(Math.abs(g - w) <= FLOAT32_TOLERANCE.abs + FLOAT32_TOLERANCE.rel * Math.abs(w)))
      return `element ${i}: got ${g}, expected ${w}`
  }
  return undefined
}
