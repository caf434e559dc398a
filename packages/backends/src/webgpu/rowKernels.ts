import { type KernelCall, type ParamList, perIndexKernel } from './kernel.js'
import type { KernelStep } from './lower.js'
import { type StepSegment, segmentSteps } from './segments.js'
import type { ValueInfo } from './values.js'

/**
 * Kernels over the [rows, last] view of a value: one thread per output row (reductions, softmax,
 * losses) or per element (concat, pad).
 */

/** A concat along features as a segment: a thread per output element, which finds its part by column. */
export const concatSegment = (args: readonly ValueInfo[], out: ValueInfo): StepSegment => ({
  count: out.count,
  body: (p, s) => {
    let start = 0
    const cases = args.map((a) => {
      const from = start
      start += a.last
      return `if (j < ${start}u) { v = arena[${p.add(a.place(s))} + r * ${a.last}u + j - ${from}u]; }`
    })
    return `  let r = i / ${out.last}u;
  let j = i % ${out.last}u;
  var v = 0.0;
  ${cases.join(' else ')}
  arena[${p.add(out.place(s))} + i] = v;`
  },
})

const step = (build: (s: number) => KernelCall): KernelStep[] => [{ kind: 'kernel', build }]

/** One thread per row of x; `body` sees `row` (the offset of the row in x) and `n` (its length). */
const perRow = (
  x: ValueInfo,
  out: ValueInfo,
  body: (row: string, dst: string, p: ParamList, s: number) => string,
): KernelStep[] =>
  step((s) =>
    perIndexKernel('row reduction', x.rows, (p) => {
      const row = `(${p.add(x.place(s))} + i * ${x.last}u)`
      const dst = `(${p.add(out.place(s))} + i * ${out.last}u)`
      return `  let n = ${x.last}u;\n${body(row, dst, p, s)}`
    }),
  )

const rowMax = (row: string) => `  var m = arena[${row}];
  for (var k = 1u; k < n; k++) { m = max(m, arena[${row} + k]); }`

const rowLogSumExp = (row: string) => `${rowMax(row)}
  var z = 0.0;
  for (var k = 0u; k < n; k++) { z += exp(arena[${row} + k] - m); }
  let lse = m + log(z);`

const rowSum = (row: string) => `  var sum = 0.0;
  for (var k = 0u; k < n; k++) { sum += arena[${row} + k]; }`

/** A class index stored as a float, checked: an invalid one yields NaN rather than a wrong loss. */
const targetIndex = (target: ValueInfo, p: ParamList, s: number) =>
  `  let tv = arena[${p.add(target.place(s))} + i];
  let t = u32(tv);
  let valid = tv >= 0.0 && f32(t) == tv && t < n;`

export const rowKernels = {
  reduceSum: (x: ValueInfo, out: ValueInfo) =>
    perRow(x, out, (row, dst) => `${rowSum(row)}\n  arena[${dst}] = sum;`),
  reduceMean: (x: ValueInfo, out: ValueInfo) =>
    perRow(x, out, (row, dst) => `${rowSum(row)}\n  arena[${dst}] = sum / f32(n);`),
  reduceMax: (x: ValueInfo, out: ValueInfo) =>
    perRow(x, out, (row, dst) => `${rowMax(row)}\n  arena[${dst}] = m;`),
  softmax: (x: ValueInfo, out: ValueInfo) =>
    perRow(
      x,
      out,
      (row, dst) => `${rowLogSumExp(row)}
  for (var k = 0u; k < n; k++) { arena[${dst} + k] = exp(arena[${row} + k] - lse); }`,
    ),
  crossEntropy: (logits: ValueInfo, target: ValueInfo, out: ValueInfo) =>
    perRow(
      logits,
      out,
      (row, dst, p, s) => `${rowLogSumExp(row)}
${targetIndex(target, p, s)}
  arena[${dst}] = select(cg_nan(), lse - arena[${row} + min(t, n - 1u)], valid);`,
    ),
  crossEntropyGrad: (logits: ValueInfo, target: ValueInfo, g: ValueInfo, out: ValueInfo) =>
    perRow(
      logits,
      out,
      (row, dst, p, s) => `${rowLogSumExp(row)}
${targetIndex(target, p, s)}
  let gi = select(cg_nan(), arena[${p.add(g.place(s))} + i], valid);
  for (var k = 0u; k < n; k++) {
    arena[${dst} + k] = (exp(arena[${row} + k] - lse) - select(0.0, 1.0, k == t)) * gi;
  }`,
    ),
  concat: (args: readonly ValueInfo[], out: ValueInfo) => segmentSteps('copy', [concatSegment(args, out)]),
  pad: (x: ValueInfo, out: ValueInfo, before: number) =>
    step((s) =>
      perIndexKernel(
        'copy',
        out.count,
        (p) => `  let r = i / ${out.last}u;
  let j = i % ${out.last}u;
  var v = 0.0;
  if (j >= ${before}u && j < ${before + x.last}u) { v = arena[${p.add(x.place(s))} + r * ${x.last}u + j - ${before}u]; }
  arena[${p.add(out.place(s))} + i] = v;`,
      ),
    ),
}
