import { perIndexKernel } from './kernel.js'
import type { KernelStep } from './lower.js'
import type { ValueInfo } from './values.js'

/**
 * Row-chunks for the column sums of a [rows, cols] value: enough that about 32k threads run (one
 * per column and chunk), each chunk at least 64 rows, at most 64 chunks. A bias gradient sums
 * T·B rows (thousands) over as few as a hundred columns: one thread per column would loop over
 * every row on a handful of multiprocessors.
 */
export const columnSumChunks = (rows: number, cols: number): number =>
  Math.max(1, Math.min(64, Math.floor(rows / 64), Math.ceil(32768 / cols)))

/**
 * out[j] = Σ_r x[r, j]: one thread per column, or (many rows) one per column and chunk of rows
 * writing partial sums to a region from `take`, then one per column adding its chunks' partials.
 */
export function columnSum(x: ValueInfo, out: ValueInfo, take: (count: number) => number): KernelStep[] {
  const cols = x.last
  const chunks = columnSumChunks(x.rows, cols)
  if (chunks === 1)
    return [
      {
        kind: 'kernel',
        build: (s) =>
          perIndexKernel('column sum', cols, (p) => {
            const src = p.add(x.place(s))
            return `  var sum = 0.0;
  for (var r = 0u; r < ${p.add(x.rows)}; r++) { sum += arena[${src} + r * ${cols}u + i]; }
  arena[${p.add(out.place(s))} + i] = sum;`
          }),
      },
    ]
  const per = Math.ceil(x.rows / chunks)
  const partials = take(chunks * cols) // used and consumed within the two calls
  return [
    {
      kind: 'kernel',
      build: (s) =>
        perIndexKernel('column sum', chunks * cols, (p) => {
          const src = p.add(x.place(s))
          return `  let j = i % ${cols}u;
  let first = (i / ${cols}u) * ${per}u;
  let end = min(first + ${per}u, ${p.add(x.rows)});
  var sum = 0.0;
  for (var r = first; r < end; r++) { sum += arena[${src} + r * ${cols}u + j]; }
  arena[${p.add(partials)} + i] = sum;`
        }),
    },
    {
      kind: 'kernel',
      build: (s) =>
        perIndexKernel(
          'column sum',
          cols,
          (p) => `  var sum = 0.0;
  for (var q = 0u; q < ${chunks}u; q++) { sum += arena[${p.add(partials)} + q * ${cols}u + i]; }
  arena[${p.add(out.place(s))} + i] = sum;`,
        ),
    },
  ]
}
