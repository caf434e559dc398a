import { GraphError, InputError } from '../errors.js'
import { type Graph, leafName, parseRef } from '../ir.js'
import type { Tensor } from '../tensor.js'
import { fromNested } from '../tensor.js'
import { formatType, type ValueType } from '../types.js'
import { type GraphTypes, verify } from '../verify.js'
import { evaluators } from './evaluators.js'

export interface EvaluateOptions {
  /** Fail, naming the input or node, when any holds NaN or ±Infinity. Default true. */
  readonly checkFinite?: boolean
}

const verified = new WeakMap<Graph, GraphTypes>()
const typesOf = (g: Graph): GraphTypes => {
  let t = verified.get(g)
  if (!t) verified.set(g, (t = verify(g)))
  return t
}

/**
 * The reference interpreter: runs a graph in float64 on values given in its binding order
 * (`graph.inputs`) and returns its outputs in order. Slow and plain on purpose: it is the oracle.
 */
export function runGraph(graph: Graph, values: readonly Tensor[], options: EvaluateOptions = {}): Tensor[] {
  const types = typesOf(graph)
  const checkFinite = options.checkFinite ?? true
  if (values.length !== graph.inputs.length)
    throw new InputError(`the graph takes ${graph.inputs.length} inputs, got ${values.length}`)
  const env = new Map<string, Tensor[]>()
  graph.inputs.forEach((id, i) => env.set(id, [values[i]!]))
  checkBindings(graph, types, values, checkFinite)
  const read = (r: string) => {
    const { node, output } = parseRef(r)
    return env.get(node)![output]!
  }
  for (const n of graph.nodes) {
    if (env.has(n.id)) continue
    const args = n.inputs.map(read)
    const evaluate = evaluators[n.op] as (attrs: unknown, ctx: unknown) => Tensor[]
    const out = evaluate(n.attrs, {
      args,
      argTypes: n.inputs.map((r) => types.of(r)),
      outTypes: types.byNode.get(n.id)!,
      runBody: (body: Graph, vs: readonly Tensor[]) => runGraph(body, vs, options),
    })
    if (checkFinite) out.forEach((t) => assertFinite(t, `node %${n.id} (${n.op})`, n.id, n.op))
    env.set(n.id, out)
  }
  return graph.outputs.map((o) => read(o.ref))
}

/**
 * Runs a graph on inputs named by their leaf names (tensors or nested arrays) and returns its
 * outputs by name.
 */
export function evaluate(
  graph: Graph,
  inputs: Readonly<Record<string, Tensor | unknown[]>>,
  options: EvaluateOptions = {},
): Record<string, Tensor> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const names = graph.inputs.map((id) => leafName(byId.get(id)!))
  for (const given of Object.keys(inputs))
    if (!names.includes(given))
      throw new InputError(`unknown input '${given}'; the graph takes ${names.join(', ')}`)
  const values = names.map((name) => {
    const v = inputs[name]
    if (v === undefined) throw new InputError(`missing input '${name}'`)
    return Array.isArray(v) ? fromNested(v) : (v as Tensor)
  })
  const outs = runGraph(graph, values, options)
  return Object.fromEntries(graph.outputs.map((o, i) => [o.name, outs[i]!]))
}

function checkBindings(graph: Graph, types: GraphTypes, values: readonly Tensor[], checkFinite: boolean) {
  let batch: number | undefined
  let steps: number | undefined
  graph.inputs.forEach((id, i) => {
    const t: ValueType = types.of(id)
    const v = values[i]!
    const want =
      t.layout === 'tensor' ? t.shape : t.layout === 'batch' ? ['B', t.shape[0]] : ['T', 'B', t.shape[0]]
    const bad = () => new InputError(`input %${id} expects ${formatType(t)}, got dims [${v.dims.join(',')}]`)
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
    if (checkFinite) assertFinite(v, `input %${id}`)
  })
}

function assertFinite(t: Tensor, what: string, nodeId?: string, op?: string) {
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i]!)) {
      const message = `${what} produced ${t.data[i]} at element ${i} of dims [${t.dims.join(',')}]`
      throw nodeId
        ? new GraphError(message, nodeId, op)
        : new InputError(`${what} holds ${t.data[i]} at element ${i}`)
    }
  }
}
