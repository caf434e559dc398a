import { CONFORMANCE_TOLERANCE, tensorMismatch } from '@cellgraph/testing'

/** The conformance suite's float32 tolerance: the one tolerance every backend meets. */
export const FLOAT32_TOLERANCE = CONFORMANCE_TOLERANCE

/** The worst element outside the suite's tolerance, described, or undefined when all agree. */
export const firstMismatch = (got: ArrayLike<number>, want: ArrayLike<number>): string | undefined =>
  tensorMismatch('output', got, want, CONFORMANCE_TOLERANCE)
