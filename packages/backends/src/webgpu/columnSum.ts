import { type ParamList, perIndexKernel } from './kernel.js'
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

/** `let <name> = ` the WGSL value of `words[z]`, picked by the call index z. */
const pick = (name: string, words: readonly string[]) =>
  `  let ${name} = ${words.slice(1).reduce((v, w, k) => `select(${v}, ${w}, z == ${k + 1}u)`, words[0]!)};`

/**
 * out[j] = Σ_r x[r, j] for each pair (xs[z], outs[z]) of the same shape: one thread per column,
 * or (many rows) one per column and chunk of rows writing partial sums to a region from `take`,
 * then one per column adding its chunks' partials. Several pairs (independent sums, `batches`)
 * share the kernels, a thread's pair being z = i / (its columns).
 */
export function columnSum(
  xs: readonly ValueInfo[],
  outs: readonly ValueInfo[],
  take: (count: number) => number,
): KernelStep[] {
  const { rows, last: cols } = xs[0]!
  const pairs = xs.length
  const chunks = columnSumChunks(rows, cols)
  const kernel = (count: number, body: (p: ParamList, s: number) => string): KernelStep => ({
    kind: 'kernel',
    build: (s) => perIndexKernel('column sum', pairs * count, (p) => body(p, s)),
  })
  const sources = (p: ParamList, s: number) =>
    pick(
      'src',
      xs.map((x) => p.add(x.place(s))),
    )
  const targets = (p: ParamList, s: number) =>
    pick(
      'dst',
      outs.map((o) => p.add(o.place(s))),
    )
  if (chunks === 1)
    return [
      kernel(
        cols,
        (p, s) => `  let z = i / ${cols}u;
  let j = i % ${cols}u;
${sources(p, s)}
${targets(p, s)}
  var sum = 0.0;
  for (var r = 0u; r < ${rows}u; r++) { sum += arena[src + r * ${cols}u + j]; }
  arena[dst + j] = sum;`,
      ),
    ]
  const per = Math.ceil(rows / chunks)
  const partials = take(pairs * chunks * cols) // used and consumed within the two calls
  return [
    kernel(
      chunks * cols,
      (p, s) => `  let z = i / ${chunks * cols}u;
  let j = i % ${cols}u;
  let first = ((i / ${cols}u) % ${chunks}u) * ${per}u;
  let end = min(first + ${per}u, ${rows}u);
${sources(p, s)}
  var sum = 0.0;
  for (var r = first; r < end; r++) { sum += arena[src + r * ${cols}u + j]; }
  arena[${p.add(partials)} + i] = sum;`,
    ),
    kernel(
      cols,
      (p, s) => `  let z = i / ${cols}u;
  let j = i % ${cols}u;
${targets(p, s)}
  let first = ${p.add(partials)} + z * ${chunks * cols}u + j;
  var sum = 0.0;
  for (var q = 0u; q < ${chunks}u; q++) { sum += arena[first + q * ${cols}u]; }
  arena[dst + j] = sum;`,
    ),
  ]
}
