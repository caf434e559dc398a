import { describe, expect, it } from 'vitest'
import { CONFORMANCE_TOLERANCE, tensorErrors, tensorMismatch } from '../src/index.js'

describe('tensorErrors', () => {
  it('measures the worst error against the bound tensorMismatch applies and against the scale', () => {
    const want = [10, -2, 0.5]
    const bound = CONFORMANCE_TOLERANCE.absolute + CONFORMANCE_TOLERANCE.relative * 10
    const got = [10, -2 + bound / 2, 0.5]
    const errors = tensorErrors(got, want, CONFORMANCE_TOLERANCE)
    expect(errors.ofBound).toBeCloseTo(0.5, 12)
    expect(errors.relative).toBeCloseTo(bound / 2 / 10, 12)
    expect(tensorMismatch('y', got, want, CONFORMANCE_TOLERANCE)).toBeUndefined()
    const over = [10, -2 + 2 * bound, 0.5]
    expect(tensorErrors(over, want, CONFORMANCE_TOLERANCE).ofBound).toBeCloseTo(2, 12)
    expect(tensorMismatch('y', over, want, CONFORMANCE_TOLERANCE)).toMatch(/^y\[1\]: got/)
  })

  it('counts a NaN as the worst error', () => {
    expect(tensorErrors([Number.NaN, 1], [0, 1], CONFORMANCE_TOLERANCE).ofBound).toBe(
      Number.POSITIVE_INFINITY,
    )
  })
})
