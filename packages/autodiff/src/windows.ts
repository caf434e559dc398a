import {
  add,
  evaluate,
  type Graph,
  GraphError,
  mul,
  nodeMap,
  parseRef,
  sumAll,
  type Tensor,
  tensor,
} from '@cellgraph/graph'
import { type GradOptions, grad, gradLeaves, gradName } from './grad.js'
import { withLoss } from './withLoss.js'

// Long sequences split into windows of k steps. A window's gradient graph takes the state the
// previous window ended in as input leaves, and the cotangents of its final states from the next
// window as inputs, so the windows chain:
// - truncated BPTT runs windows forward and passes no cotangent back: the gradient stops at window
//   boundaries, the state does not;
// - checkpointing keeps only each window's initial state in a forward sweep, then runs the windows
//   backward, recomputing each window's forward pass and passing the state cotangents back: the
//   gradient of the whole sequence, with the memory of one window.

/** A recurrent state: the leaf that initializes it and the output holding its final value. */
export interface StatePair {
  readonly initial: string
  readonly final: string
}

/**
 * The states a graph carries across a sequence: for every top-level scan carry whose initial value
 * is a leaf and whose final value is an output (e.g. `l0.h0` and `l0.h` in `sequenceGraph`).
 */
export function carriedStates(graph: Graph): StatePair[] {
  const byId = nodeMap(graph)
  const pairs: StatePair[] = []
  for (const n of graph.nodes) {
    if (n.op !== 'scan') continue
    const { carries } = n.attrs as { carries: number }
    for (let k = 0; k < carries; k++) {
      const leaf = byId.get(parseRef(n.inputs[k]!).node)!
      const out = graph.outputs.find((o) => {
        const r = parseRef(o.ref)
        return r.node === n.id && r.output === k
      })
      if (out && (leaf.op === 'input' || leaf.op === 'state'))
        pairs.push({ initial: (leaf.attrs as { name: string }).name, final: out.name })
    }
  }
  return pairs
}

export interface WindowGraph {
  /**
   * The gradient graph of one window. Inputs: the graph's leaves (initial states included) and
   * `cotangent.<final>` per state; outputs: the graph's outputs, then `grad.<leaf>` for `wrt` and
   * for every initial state.
   */
  readonly graph: Graph
  readonly states: readonly StatePair[]
  readonly wrt: readonly string[]
}

export const cotangentName = (final: string): string => `cotangent.${final}`

/** The window graph: the gradient of loss + Σ_state ⟨final state, its cotangent input⟩. */
export function windowGrad(
  graph: Graph,
  options: GradOptions & { states?: readonly StatePair[] },
): WindowGraph {
  const states = options.states ?? carriedStates(graph)
  if (states.length === 0)
    throw new GraphError(
      'windowed BPTT needs a carried state: a scan whose initial state is a leaf and final state an output',
    )
  const wrt = gradLeaves(graph, options.wrt).map((n) => (n.attrs as { name: string }).name)
  const withCotangents = withLoss(
    graph,
    (outputs, b) => {
      let total = outputs[options.loss]
      if (!total) throw new GraphError(`loss '${options.loss}' is not an output of the graph`)
      for (const s of states) {
        const final = outputs[s.final]
        if (!final) throw new GraphError(`state output '${s.final}' is not an output of the graph`)
        const name = cotangentName(s.final)
        total = add(total, sumAll(mul(final, b.leaf('input', name, { name, type: final.type }))))
      }
      return total
    },
    'window.loss',
  )
  const leaves = [...wrt, ...states.map((s) => s.initial).filter((n) => !wrt.includes(n))]
  const gradOptions = { loss: 'window.loss', wrt: leaves, ...(options.bptt ? { bptt: options.bptt } : {}) }
  return { graph: grad(withCotangents, gradOptions), states, wrt }
}

/** Steps [from, to) of every sequence input ([T,B,F]); other inputs as they are. */
export function sliceSteps(
  graph: Graph,
  inputs: Readonly<Record<string, Tensor>>,
  from: number,
  to: number,
): Record<string, Tensor> {
  const byId = nodeMap(graph)
  const out: Record<string, Tensor> = { ...inputs }
  for (const id of graph.inputs) {
    const n = byId.get(id)!
    const attrs = n.attrs as { name: string; type?: { layout: string } }
    if (attrs.type?.layout !== 'seq') continue
    const t = inputs[attrs.name]!
    const step = t.data.length / t.dims[0]!
    out[attrs.name] = tensor([to - from, ...t.dims.slice(1)], t.data.subarray(from * step, to * step))
  }
  return out
}

export interface WindowedOptions extends GradOptions {
  /** Steps per window. */
  readonly window: number
  readonly states?: readonly StatePair[]
}

export interface WindowedResult {
  /** Σ over windows of the loss. */
  readonly value: number
  /** Gradients by leaf name; sequence leaves get every step's gradient. */
  readonly grads: Record<string, Tensor>
}

interface Plan {
  readonly window: WindowGraph
  readonly bounds: [number, number][]
  /** Leaves of `wrt` whose gradient sums over windows (not the initial states). */
  readonly summed: readonly string[]
  /** Sequence leaves, whose window gradients are written at their steps. */
  readonly sequences: ReadonlySet<string>
}

function plan(graph: Graph, inputs: Readonly<Record<string, Tensor>>, options: WindowedOptions): Plan {
  const k = options.window
  if (!Number.isInteger(k) || k < 1) throw new GraphError(`the window must be a positive integer, got ${k}`)
  const window = windowGrad(graph, options)
  const byId = nodeMap(graph)
  const sequences = new Set(
    graph.inputs
      .map((id) => byId.get(id)!.attrs as { name: string; type?: { layout: string } })
      .filter((a) => a.type?.layout === 'seq')
      .map((a) => a.name),
  )
  const first = [...sequences][0]
  if (first === undefined) throw new GraphError('windowed BPTT needs a sequence input')
  const steps = inputs[first]!.dims[0]!
  const bounds: [number, number][] = []
  for (let t = 0; t < steps; t += k) bounds.push([t, Math.min(steps, t + k)])
  const initial = new Set(window.states.map((s) => s.initial))
  return { window, bounds, summed: window.wrt.filter((n) => !initial.has(n)), sequences }
}

function zerosLikeTensor(t: Tensor): Tensor {
  return tensor(t.dims)
}

/** Adds a window's gradients into the totals; sequence leaves are written at their steps. */
function accumulate(
  p: Plan,
  totals: Record<string, Tensor>,
  out: Record<string, Tensor>,
  full: Readonly<Record<string, Tensor>>,
  from: number,
) {
  for (const name of p.summed) {
    const g = out[gradName(name)]!
    const total = (totals[name] ??= zerosLikeTensor(full[name]!))
    const offset = p.sequences.has(name) ? from * (g.data.length / g.dims[0]!) : 0
    for (let i = 0; i < g.data.length; i++) total.data[offset + i]! += g.data[i]!
  }
}

const windowInputs = (p: Plan, inputs: Record<string, Tensor>, cotangents: Record<string, Tensor>) => {
  const bound: Record<string, Tensor> = { ...inputs }
  for (const s of p.window.states) bound[cotangentName(s.final)] = cotangents[s.final]!
  return bound
}

/**
 * Truncated BPTT on the reference interpreter: windows of `window` steps run in order; each starts
 * from the state the previous one ended in, and its gradient stops at its first step.
 */
export function truncatedValueAndGrad(
  graph: Graph,
  inputs: Readonly<Record<string, Tensor>>,
  options: WindowedOptions,
): WindowedResult {
  const p = plan(graph, inputs, options)
  const grads: Record<string, Tensor> = {}
  let state: Record<string, Tensor> = {}
  for (const s of p.window.states) state[s.initial] = inputs[s.initial]!
  let value = 0
  for (const [from, to] of p.bounds) {
    const window = { ...sliceSteps(graph, inputs, from, to), ...state }
    const zero: Record<string, Tensor> = {}
    for (const s of p.window.states) zero[s.final] = zerosLikeTensor(state[s.initial]!)
    const out = evaluate(p.window.graph, windowInputs(p, window, zero))
    value += out[options.loss]!.data[0]!
    accumulate(p, grads, out, inputs, from)
    // The initial states reach the loss through the first window only.
    if (from === 0)
      for (const s of p.window.states)
        if (p.window.wrt.includes(s.initial)) grads[s.initial] = out[gradName(s.initial)]!
    state = Object.fromEntries(p.window.states.map((s) => [s.initial, out[s.final]!]))
  }
  return { value, grads }
}

/**
 * BPTT with checkpoints every `window` steps on the reference interpreter: a forward sweep keeps
 * only the state at the start of each window; the backward sweep recomputes each window's forward
 * pass and passes the state cotangents back. Gradients equal full BPTT on Σ_window loss.
 */
export function checkpointedValueAndGrad(
  graph: Graph,
  inputs: Readonly<Record<string, Tensor>>,
  options: WindowedOptions,
): WindowedResult {
  const p = plan(graph, inputs, options)
  const checkpoints: Record<string, Tensor>[] = []
  let state: Record<string, Tensor> = Object.fromEntries(
    p.window.states.map((s) => [s.initial, inputs[s.initial]!]),
  )
  let value = 0
  for (const [from, to] of p.bounds) {
    checkpoints.push(state)
    const out = evaluate(graph, { ...sliceSteps(graph, inputs, from, to), ...state })
    value += out[options.loss]!.data[0]!
    state = Object.fromEntries(p.window.states.map((s) => [s.initial, out[s.final]!]))
  }
  const grads: Record<string, Tensor> = {}
  let cotangents: Record<string, Tensor> = Object.fromEntries(
    p.window.states.map((s) => [s.final, zerosLikeTensor(inputs[s.initial]!)]),
  )
  for (let w = p.bounds.length - 1; w >= 0; w--) {
    const [from, to] = p.bounds[w]!
    const out = evaluate(
      p.window.graph,
      windowInputs(p, { ...sliceSteps(graph, inputs, from, to), ...checkpoints[w]! }, cotangents),
    )
    accumulate(p, grads, out, inputs, from)
    cotangents = Object.fromEntries(p.window.states.map((s) => [s.final, out[gradName(s.initial)]!]))
  }
  // The initial states' gradients are the cotangents that reach the first window's start.
  for (const s of p.window.states)
    if (p.window.wrt.includes(s.initial)) grads[s.initial] = cotangents[s.final]!
  return { value, grads }
}
