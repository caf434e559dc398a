import {
  formatType,
  type Graph,
  InputError,
  leafName,
  nodeMap,
  type ValueType,
  verify,
} from '@cellgraph/graph'
import type { DeviceTensor } from '../backend.js'
import { checkRunInputs } from '../inputs.js'
import type { RunSizes } from './codegen.js'

export interface Leaf {
  readonly id: string
  readonly name: string
  /** The leaf's type; looked up in the graph (verified once, then cached) when absent. */
  readonly type?: ValueType
}

const typesCache = new WeakMap<Graph, ReturnType<typeof verify>>()
const typesOf = (graph: Graph) => {
  let t = typesCache.get(graph)
  if (!t) typesCache.set(graph, (t = verify(graph)))
  return t
}

/** The external leaves of a graph: ids, names and types, in binding order. */
export function leavesOf(graph: Graph, hidden: ReadonlySet<string> = new Set()): Leaf[] {
  const byId = nodeMap(graph)
  const types = verify(graph)
  return graph.inputs
    .filter((id) => !hidden.has(id))
    .map((id) => ({ id, name: leafName(byId.get(id)!), type: types.of(id) }))
}

/**
 * Checks bound tensors against the leaves' types and finds the run's batch size and sequence
 * length; errors name the input and both shapes.
 */
export function bindSizes(
  graph: Graph,
  leaves: readonly Leaf[],
  inputs: Readonly<Record<string, DeviceTensor>>,
): RunSizes {
  checkRunInputs(inputs)
  let batch: number | undefined
  let steps: number | undefined
  for (const name in inputs)
    if (!leaves.some((l) => l.name === name))
      throw new InputError(`unknown input '${name}'; the graph takes ${leaves.map((l) => l.name).join(', ')}`)
  for (const { id, name, type } of leaves) {
    const t = type ?? typesOf(graph).of(id)
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
