/**
 * THE tolerance of the conformance suite, shared by every float32 backend and every case:
 *
 *     |got − want| ≤ absolute + relative · max|want|     (max over the output tensor)
 *
 * Why these numbers: float32 carries 24 bits (ε ≈ 6e-8 per rounding). A case here chains at most
 * a few dozen rounded ops per step over ≤ 5 steps, with sums of ≤ ~20 terms, and WGSL's exp and
 * log may be off by a few ulp more (their spec allows 3 + 2·|x| ulp for exp). That is ~1e-5
 * relative to the magnitudes involved; 5e-4 leaves a margin of more than 10× for gradients, whose
 * reverse sweeps amplify rounding through saturated gates and small divisors, while a wrong
 * kernel (a missing term, a wrong index or sign) is off by O(1) relative. The error is measured
 * against the largest magnitude of the tensor, not each element's own: float32 rounding scales
 * with the size of the terms that were added, and a legitimately cancelling element (a gradient
 * summed over time and batch) can be far smaller than they are. `absolute` covers tensors that
 * are all near zero (gradients through saturated gates).
 */
export const CONFORMANCE_TOLERANCE = { absolute: 1e-5, relative: 5e-4 } as const

export interface Tolerance {
  readonly absolute: number
  readonly relative: number
}

/** Exact agreement: what a float64 backend over the same arithmetic owes the interpreter. */
export const EXACT: Tolerance = { absolute: 0, relative: 0 }

/**
 * The worst disagreement of `got` with `want` under `tolerance`, as a message naming the
 * element, both values and the bound; undefined when every element is within it.
 */
export function tensorMismatch(
  what: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  tolerance: Tolerance,
): string | undefined {
  if (got.length !== want.length) return `${what}: ${got.length} values, the reference has ${want.length}`
  let scale = 0
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!))
  const bound = tolerance.absolute + tolerance.relative * scale
  const rank = (e: number) => (Number.isNaN(e) ? Number.POSITIVE_INFINITY : e) // NaN is the worst
  let worst = -1
  let worstError = 0
  for (let i = 0; i < want.length; i++) {
    const error = Math.abs(got[i]! - want[i]!)
    if (!(error <= bound) && (worst < 0 || rank(error) > rank(worstError))) {
      worst = i
      worstError = error
    }
  }
  if (worst < 0) return undefined
  return (
    `${what}[${worst}]: got ${got[worst]}, reference ${want[worst]} ` +
    `(|error| ${worstError} > ${bound} = ${tolerance.absolute} + ${tolerance.relative} · max|reference| ${scale})`
  )
}
