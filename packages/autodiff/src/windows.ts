import {
  add,
  evaluate,
  type Graph,
  GraphError,
  leafName,
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
    const { carries } = n.attrs
    for (let k = 0; k < carries; k++) {
      const leaf = byId.get(parseRef(n.inputs[k]!).node)!
      const out = graph.outputs.find((o) => {
        const r = parseRef(o.ref)
        return r.node === n.id && r.output === k
      })
      if (out && (leaf.op === 'input' || leaf.op === 'state'))
        pairs.push({ initial: leafName(leaf), final: out.name })
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

type WindowOptions = GradOptions & { states?: readonly StatePair[] }

/** A window's carried states (at least one) and the names of the leaves its gradient is taken for. */
function windowLeaves(graph: Graph, options: WindowOptions): Pick<WindowGraph, 'states' | 'wrt'> {
  const states = options.states ?? carriedStates(graph)
  if (states.length === 0)
    throw new GraphError(
      'windowed BPTT needs a carried state: a scan whose initial state is a leaf and final state an output',
    )
  return { states, wrt: gradLeaves(graph, options.wrt).map((n) => leafName(n)) }
}

/** The window graph: the gradient of loss + Σ_state ⟨final state, its cotangent input⟩. */
export function windowGrad(graph: Graph, options: WindowOptions): WindowGraph {
  const { states, wrt } = windowLeaves(graph, options)
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

/**
 * The gradient graph of one window of truncated BPTT: the gradient of the loss alone, so it stops
 * at the window's start while the state carries on (`states` says which output feeds which
 * initial-state input of the next window; see `initialStates`).
 */
export function truncatedWindow(graph: Graph, options: WindowOptions): WindowGraph {
  const { states, wrt } = windowLeaves(graph, options)
  const gradOptions = { loss: options.loss, wrt, ...(options.bptt ? { bptt: options.bptt } : {}) }
  return { graph: grad(graph, gradOptions), states, wrt }
}

/** The next window's initial-state inputs: each state's final value (by output name) under its initial leaf's name. */
export function initialStates<T>(
  states: readonly StatePair[],
  finals: Readonly<Record<string, T>>,
): Record<string, T> {
  const out: Record<string, T> = {}
  for (const s of states) {
    const value = finals[s.final]
    if (value === undefined) throw new GraphError(`no value for the state output '${s.final}'`)
    out[s.initial] = value
  }
  return out
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

/** One run a windowed gradient asks for: a graph and its inputs by leaf name. */
export interface WindowRun {
  readonly graph: Graph
  readonly inputs: Readonly<Record<string, Tensor>>
}

/**
 * A windowed gradient as the runs it needs: it yields each run, takes that run's outputs back,
 * and returns the result. `runWindows` drives it on any backend, `runWindowsSync` on the
 * reference interpreter.
 */
export type Windows = Generator<WindowRun, WindowedResult, Readonly<Record<string, Tensor>>>

interface Plan {
  readonly window: WindowGraph
  readonly bounds: [number, number][]
  /** Leaves of `wrt` whose gradient sums over windows (not the initial states). */
  readonly summed: readonly string[]
  /** Sequence leaves, whose window gradients are written at their steps. */
  readonly sequences: ReadonlySet<string>
}

function plan(
  graph: Graph,
  inputs: Readonly<Record<string, Tensor>>,
  options: WindowedOptions,
  windowGraph: typeof windowGrad,
): Plan {
  const k = options.window
  if (!Number.isInteger(k) || k < 1) throw new GraphError(`the window must be a positive integer, got ${k}`)
  const window = windowGraph(graph, options)
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

const zerosLikeTensor = (t: Tensor): Tensor => tensor(t.dims)

/** Adds a window's gradients into the totals; sequence leaves are written at their steps. */
function accumulate(
  p: Plan,
  totals: Record<string, Tensor>,
  out: Readonly<Record<string, Tensor>>,
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

/**
 * Truncated BPTT: windows of `window` steps run in order; each starts from the state the
 * previous one ended in, and its gradient stops at its first step.
 */
export function* truncatedWindows(
  graph: Graph,
  inputs: Readonly<Record<string, Tensor>>,
  options: WindowedOptions,
): Windows {
  const p = plan(graph, inputs, options, truncatedWindow)
  const grads: Record<string, Tensor> = {}
  let state = Object.fromEntries(p.window.states.map((s) => [s.initial, inputs[s.initial]!]))
  let value = 0
  for (const [from, to] of p.bounds) {
    const out = yield { graph: p.window.graph, inputs: { ...sliceSteps(graph, inputs, from, to), ...state } }
    value += out[options.loss]!.data[0]!
    accumulate(p, grads, out, inputs, from)
    // The initial states reach the loss through the first window only.
    if (from === 0)
      for (const s of p.window.states)
        if (p.window.wrt.includes(s.initial)) grads[s.initial] = out[gradName(s.initial)]!
    state = initialStates(p.window.states, out)
  }
  return { value, grads }
}

/**
 * BPTT with checkpoints every `window` steps: a forward sweep keeps only the state at the start of
 * each window; the backward sweep recomputes each window's forward pass and passes the state
 * cotangents back. Gradients equal full BPTT on Σ_window loss.
 */
export function* checkpointedWindows(
  graph: Graph,
  inputs: Readonly<Record<string, Tensor>>,
  options: WindowedOptions,
): Windows {
  const p = plan(graph, inputs, options, windowGrad)
  const checkpoints: Record<string, Tensor>[] = []
  let state = Object.fromEntries(p.window.states.map((s) => [s.initial, inputs[s.initial]!]))
  let value = 0
  for (const [from, to] of p.bounds) {
    checkpoints.push(state)
    const out = yield { graph, inputs: { ...sliceSteps(graph, inputs, from, to), ...state } }
    value += out[options.loss]!.data[0]!
    state = initialStates(p.window.states, out)
  }
  const grads: Record<string, Tensor> = {}
  let cotangents: Record<string, Tensor> = Object.fromEntries(
    p.window.states.map((s) => [cotangentName(s.final), zerosLikeTensor(inputs[s.initial]!)]),
  )
  for (let w = p.bounds.length - 1; w >= 0; w--) {
    const [from, to] = p.bounds[w]!
    const window = { ...sliceSteps(graph, inputs, from, to), ...checkpoints[w]!, ...cotangents }
    const out = yield { graph: p.window.graph, inputs: window }
    accumulate(p, grads, out, inputs, from)
    cotangents = Object.fromEntries(
      p.window.states.map((s) => [cotangentName(s.final), out[gradName(s.initial)]!]),
    )
  }
  // The initial states' gradients are the cotangents that reach the first window's start.
  for (const s of p.window.states)
    if (p.window.wrt.includes(s.initial)) grads[s.initial] = cotangents[cotangentName(s.final)]!
  return { value, grads }
}

/** Runs windows with `run`, a backend or any function from a graph and its inputs to its outputs. */
export async function runWindows(
  windows: Windows,
  run: (graph: Graph, inputs: Readonly<Record<string, Tensor>>) => Promise<Readonly<Record<string, Tensor>>>,
): Promise<WindowedResult> {
  let next = windows.next()
  while (!next.done) next = windows.next(await run(next.value.graph, next.value.inputs))
  return next.value
}

/** Runs windows on the reference interpreter (or any synchronous `run`). */
export function runWindowsSync(
  windows: Windows,
  run: (
    graph: Graph,
    inputs: Readonly<Record<string, Tensor>>,
  ) => Readonly<Record<string, Tensor>> = evaluate,
): WindowedResult {
  let next = windows.next()
  while (!next.done) next = windows.next(run(next.value.graph, next.value.inputs))
  return next.value
}

/** Truncated BPTT on the reference interpreter (see `truncatedWindows`). */
export const truncatedValueAndGrad = (
  graph: Graph,
  inputs: Readonly<Record<string, Tensor>>,
  options: WindowedOptions,
): WindowedResult => runWindowsSync(truncatedWindows(graph, inputs, options))

/** Checkpointed BPTT on the reference interpreter (see `checkpointedWindows`). */
export const checkpointedValueAndGrad = (
  graph: Graph,
  inputs: Readonly<Record<string, Tensor>>,
  options: WindowedOptions,
): WindowedResult => runWindowsSync(checkpointedWindows(graph, inputs, options))
