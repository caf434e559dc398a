import { elementCount, type Graph, nodeMap, type ValueType, verify } from '@cellgraph/graph'
import type { Backend, HostTensor } from '../../src/index.js'

/** Deterministic pseudo-random values in [−scale, scale) (a small LCG; tests need no library). */
export function seededValues(n: number, seed: number, scale = 0.5): Float64Array {
  const out = new Float64Array(n)
  let s = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    out[i] = (s / 2 ** 32) * 2 * scale - scale
  }
  return out
}

export const dimsFor = (t: ValueType, batch: number, steps: number): number[] =>
  t.layout === 'tensor'
    ? [...t.shape]
    : t.layout === 'batch'
      ? [batch, t.shape[0]!]
      : [steps, batch, t.shape[0]!]

/** Random values for every leaf of a graph, by leaf name. */
export function randomInputs(
  graph: Graph,
  batch: number,
  steps: number,
  seed = 1,
): Record<string, HostTensor> {
  const types = verify(graph)
  const byId = nodeMap(graph)
  const out: Record<string, HostTensor> = {}
  graph.inputs.forEach((id, k) => {
    const dims = dimsFor(types.of(id), batch, steps)
    out[(byId.get(id)!.attrs as { name: string }).name] = {
      dims,
      data: seededValues(elementCount(dims), seed * 7919 + k),
    }
  })
  return out
}

/** Compiles and runs a graph on a backend; returns every output's values. */
export async function runOn(
  backend: Backend,
  graph: Graph,
  inputs: Record<string, HostTensor>,
): Promise<Record<string, Float32Array | Float64Array>> {
  const exe = await backend.compile(graph)
  const bound = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, backend.upload(v)]))
  const outs = await exe.run(bound)
  const result: Record<string, Float32Array | Float64Array> = {}
  for (const [k, v] of Object.entries(outs)) result[k] = await v.read()
  exe.dispose()
  return result
}
