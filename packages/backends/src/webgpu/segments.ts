import { type KernelKind, ParamList, paramWords, segmentedKernel } from './kernel.js'
import type { KernelStep } from './lower.js'

/** A part of a segmented kernel whose operands may move with the scan step `s` (0 outside scans). */
export interface StepSegment {
  readonly count: number
  readonly body: (params: ParamList, s: number) => string
}

/** The parameter words a segment takes (as many at every step). */
function wordsOf(segment: StepSegment): number {
  const scratch = new ParamList()
  segment.body(scratch, 0)
  return scratch.words.length
}

/** Most segments one kernel runs: each thread tests every segment's range. */
const segmentsPerKernel = 64

/**
 * Independent per-index kernels as few dispatches as their parameters allow: consecutive segments
 * share a kernel (`segmentedKernel`) while their parameter words fit its window, up to
 * `segmentsPerKernel`.
 */
export function segmentSteps(kind: KernelKind, segments: readonly StepSegment[]): KernelStep[] {
  const budget = paramWords - 1 // the kernel's thread count takes one
  const kernels: StepSegment[][] = []
  let words = budget
  for (const segment of segments) {
    const w = wordsOf(segment)
    if (words + w > budget || kernels.at(-1)!.length === segmentsPerKernel) {
      kernels.push([])
      words = 0
    }
    kernels.at(-1)!.push(segment)
    words += w
  }
  return kernels.map((group) => ({
    kind: 'kernel',
    build: (s) =>
      segmentedKernel(
        kind,
        group.map((g) => ({ count: g.count, body: (p: ParamList) => g.body(p, s) })),
      ),
  }))
}

/** A copy of `count` floats inside the arena, from and to places that may move with the scan step. */
export const copySegment = (
  from: (s: number) => number,
  to: (s: number) => number,
  count: number,
): StepSegment => ({
  count,
  body: (p, s) => `  arena[${p.add(to(s))} + i] = arena[${p.add(from(s))} + i];`,
})
