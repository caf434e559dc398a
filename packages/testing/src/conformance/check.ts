import { runGraph } from '@cellgraph/graph'
import { leavesOf } from '../random/values.js'
import type { ConformanceBackend, ConformanceTensor } from './backend.js'
import type { GraphCase } from './cases.js'
import { type Tolerance, tensorMismatch } from './tolerance.js'

const sameDims = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i])

/**
 * Runs a case on `backend` and on the float64 reference interpreter and compares every output.
 * Returns the first disagreement as a message naming the case, output, element and both values;
 * undefined when all outputs agree within `tolerance`. `seen`, when given, receives every output
 * compared (a report of how close each came, e.g. `tensorErrors`).
 */
export async function graphMismatch(
  backend: ConformanceBackend,
  c: GraphCase,
  tolerance: Tolerance,
  seen?: (output: string, got: ArrayLike<number>, want: ArrayLike<number>) => void,
): Promise<string | undefined> {
  const want = runGraph(c.graph, c.inputs)
  const names = leavesOf(c.graph).map((l) => l.name)
  const exe = await backend.compile(c.graph)
  const uploaded: ConformanceTensor[] = []
  try {
    c.inputs.forEach((t) => uploaded.push(backend.upload({ dims: t.dims, data: t.data })))
    const out = await exe.run(Object.fromEntries(names.map((name, i) => [name, uploaded[i]!])))
    for (const [k, o] of c.graph.outputs.entries()) {
      const got = out[o.name]
      const reference = want[k]!
      if (!got) return `${c.name}: the backend returned no output '${o.name}'`
      if (!sameDims(got.dims, reference.dims))
        return `${c.name}: output '${o.name}' has dims [${got.dims}], the reference [${reference.dims}]`
      const values = await got.read()
      seen?.(o.name, values, reference.data)
      const problem = tensorMismatch(`${c.name}: output '${o.name}'`, values, reference.data, tolerance)
      if (problem) return problem
    }
    return undefined
  } finally {
    for (const t of uploaded) t.dispose()
    exe.dispose()
  }
}
