import {
  add,
  formatType,
  type Graph,
  type GraphBuilder,
  GraphError,
  type GraphTypes,
  type Node,
  type OpName,
  ref,
  sameType,
  type Value,
} from '@cellgraph/graph'
import { normalRef } from './flow.js'
import type { VjpContext, VjpRule } from './rule.js'
import { vjpRules } from './rules/index.js'

/** One reverse sweep over a graph, emitting cotangent nodes into `builder`. */
export interface Sweep {
  readonly graph: Graph
  readonly types: GraphTypes
  readonly builder: GraphBuilder
  /** The value of a forward ref of `graph`, in `builder`. */
  readonly forward: (r: string) => Value
  /** Whether a forward ref depends on something being differentiated. */
  readonly requiresGrad: (r: string) => boolean
  /** Cotangents to start from; a ref named twice gets their sum. */
  readonly seeds: readonly { readonly ref: string; readonly value: Value }[]
  /** What rules' forward hooks returned, by node id. */
  readonly stashes?: ReadonlyMap<string, unknown>
}

const isLeaf = (op: OpName) => op === 'input' || op === 'state' || op === 'param'

/** Runs the sweep; returns the cotangent of every forward ref that received one. */
export function backprop(sweep: Sweep): Map<string, Value> {
  const cotangents = new Map<string, Value>()
  const accumulate = (r: string, v: Value) => {
    const key = normalRef(r)
    const prev = cotangents.get(key)
    cotangents.set(key, prev ? add(prev, v) : v)
  }
  for (const s of sweep.seeds) accumulate(s.ref, s.value)
  for (const n of [...sweep.graph.nodes].reverse()) {
    if (isLeaf(n.op)) continue
    const outTypes = sweep.types.byNode.get(n.id)!
    const cots = outTypes.map((_, k) => cotangents.get(ref(n.id, k)))
    if (cots.every((c) => c === undefined)) continue
    const needs = n.inputs.map((r) => sweep.requiresGrad(r))
    if (!needs.some(Boolean)) continue
    const rule = vjpRules[n.op] as VjpRule<OpName>
    const grads = rule.vjp(context(sweep, n, rule, cots, needs))
    n.inputs.forEach((r, i) => {
      const lazy = needs[i] ? grads[i] : undefined
      if (!lazy) return
      const v = lazy()
      const want = sweep.types.of(r)
      if (!sameType(v.type, want))
        throw new GraphError(
          `the vjp rule of ${n.op} gave a cotangent ${formatType(v.type)} for input ${i} of node %${n.id}, ` +
            `which is ${formatType(want)}`,
          n.id,
          n.op,
        )
      accumulate(r, v)
    })
  }
  return cotangents
}

function context(
  sweep: Sweep,
  n: Node,
  rule: VjpRule<OpName>,
  cotangents: readonly (Value | undefined)[],
  needs: readonly boolean[],
): VjpContext<OpName> {
  const saves = typeof rule.saves === 'function' ? rule.saves(n.attrs as never) : rule.saves
  const undeclared = (what: string, i: number) =>
    new GraphError(
      `the vjp rule of ${n.op} reads ${what} ${i} of node %${n.id} without declaring it in saves`,
    )
  return {
    node: n,
    attrs: n.attrs,
    builder: sweep.builder,
    inputTypes: n.inputs.map((r) => sweep.types.of(r)),
    outputTypes: sweep.types.byNode.get(n.id)!,
    cotangents,
    get g() {
      const g = cotangents[0]
      if (!g) throw new GraphError(`node %${n.id} (${n.op}): output 0 has no cotangent`, n.id, n.op)
      return g
    },
    input: (i) => {
      if (!saves.inputs?.includes(i)) throw undeclared('input', i)
      return sweep.forward(n.inputs[i]!)
    },
    output: (k) => {
      if (!saves.outputs?.includes(k)) throw undeclared('output', k)
      return sweep.forward(ref(n.id, k))
    },
    like: (i) => sweep.forward(n.inputs[i]!),
    needs: (i) => needs[i] ?? false,
    stash: sweep.stashes?.get(n.id),
  }
}
