import { formatType, type Graph, InputError, nodeMap, verify } from '@cellgraph/graph'
import type { DeviceTensor } from '../backend.js'
import type { RunSizes } from './codegen.js'

/** The external leaves of a graph: ids and names, in binding order. */
export function leavesOf(graph: Graph, hidden: ReadonlySet<string> = new Set()) {
  const byId = nodeMap(graph)
  return graph.inputs
    .filter((id) => !hidden.has(id))
    .map((id) => ({ id, name: (byId.get(id)!.attrs as { name: string }).name }))
}

/**
 * Checks bound tensors against the leaves' types and finds the run's batch size and sequence
 * length; errors name the input and both shapes.
 */
export function bindSizes(
  graph: Graph,
  leaves: readonly { id: string; name: string }[],
  inputs: Readonly<Record<string, DeviceTensor>>,
): RunSizes {
  const types = verify(graph)
  let batch: number | undefined
  let steps: number | undefined
  const known = new Set(leaves.map((l) => l.name))
  for (const name of Object.keys(inputs))
    if (!known.has(name))
      throw new InputError(`unknown input '${name}'; the graph takes ${[...known].join(', ')}`)
  for (const { id, name } of leaves) {
    const t = types.of(id)
    const v = inputs[name]
    if (!v) throw new InputError(`missing input '${name}'`)
    const want =
      t.layout === 'tensor' ? t.shape : t.layout === 'batch' ? ['B', t.shape[0]] : ['T', 'B', t.shape[0]]
    const bad = () =>
      new InputError(`input '${name}' expects ${formatType(t)}, got dims [${v.dims.join(',')}]`)
    if (v.dims.length !== want.length) throw bad()
    want.forEach((d, k) => {
      const got = v.dims[k]!
      if (d === 'B') {
        if (got < 1 || (batch !== undefined && got !== batch)) throw bad()
        batch = got
      } else if (d === 'T') {
        if (got < 1 || (steps !== undefined && got !== steps)) throw bad()
        steps = got
      } else if (got !== d) throw bad()
    })
  }
  return { batch: batch ?? 1, steps: steps ?? 1 }
}
