/**
 * THE tolerance of the conformance suite, shared by every float32 backend and every case:
 *
 *     |got − want| ≤ absolute + relative · max|want|     (max over the output tensor)
 *
 * Why this form: float32 rounding (ε ≈ 6e-8) scales with the size of the terms that were
 * combined, and a legitimately cancelling element (a gradient summed over time and batch) can be
 * far smaller than they are, so the error is measured against the tensor's largest magnitude,
 * not each element's own. `absolute` covers tensors that are all near zero.
 *
 * Why these numbers, measured with the CPU backend on 700 random cells (saturated inputs in two
 * thirds of them) and the built-in cells: forward outputs were off by at most 5e-5 of their
 * scale; gradients by at most 6e-4 of their scale, and 1e-4 absolute. The gradient error has a
 * floor that no float32 backend can avoid: a sigmoid's slope is computed as y(1 − y) from the
 * saved, rounded y, which near saturation loses relative precision like ε·e^|z|, and the
 * gradients of a gate's weights are sums of such slopes times inputs up to 50. The bounds below
 * keep a margin of 3× over those measurements (WGSL's exp and log may add a few ulp), and a
 * wrong kernel — a missing term, a wrong index, sign or time step — is off by O(1) relative.
 */
export const CONFORMANCE_TOLERANCE = { absolute: 3e-4, relative: 2e-3 } as const

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

/** How close `got` came to `want`: the worst error over the tolerance's bound (below 1 passes) and over max|want|. */
export function tensorErrors(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  tolerance: Tolerance,
): { readonly ofBound: number; readonly relative: number } {
  let scale = 0
  let worst = 0
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]!))
    const error = Math.abs(got[i]! - want[i]!)
    worst = Number.isNaN(error) ? Number.POSITIVE_INFINITY : Math.max(worst, error)
  }
  return {
    ofBound: worst / (tolerance.absolute + tolerance.relative * scale),
    relative: scale > 0 ? worst / scale : worst,
  }
}
