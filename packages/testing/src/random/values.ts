import {
  type Graph,
  leafName,
  lengthMask,
  nodeMap,
  Rng,
  signature,
  type Tensor,
  tensor,
  type ValueType,
} from '@cellgraph/graph'
import fc from 'fast-check'
import { INPUT_LIMIT, PARAM_LIMIT } from './range.js'

/**
 * What a leaf's values are: `data` (inputs and initial states; may saturate), `param` (a learned
 * tensor, in [-1, 1]), `coefficient` (a loss weight, in [-1, 1]), class indices in [0, classes),
 * or `lengths`: a step mask [T,B,1] of random per-sequence lengths in [1, T].
 */
export type InputRole = 'data' | 'param' | 'coefficient' | 'lengths' | { readonly classes: number }

export interface InputOptions {
  readonly batch: number
  readonly steps: number
  /** Fraction of data values drawn saturated, |x| in [10, 50]; the rest lie in [-2, 2]. */
  readonly saturation: number
  /** Roles by leaf name; leaves not named are `param` for parameters and `data` otherwise. */
  readonly roles?: Readonly<Record<string, InputRole>>
}

/** A seeded stream in [0, 1), so a failing case is reproduced by its seed alone. */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed)
  return () => rng.next()
}

/** The leaves of a graph in binding order: name, type and the op that declares them. */
export function leavesOf(graph: Graph): { name: string; type: ValueType; op: string }[] {
  const byId = nodeMap(graph)
  const types = signature(graph).inputs
  return graph.inputs.map((id, i) => {
    const n = byId.get(id)!
    return { name: leafName(n), type: types[i]!, op: n.op }
  })
}

/** Run-time dims of a value of type `t`. */
export const dimsFor = (t: ValueType, batch: number, steps: number): number[] =>
  t.layout === 'tensor'
    ? [...t.shape]
    : t.layout === 'batch'
      ? [batch, t.shape[0]!]
      : [steps, batch, t.shape[0]!]

/**
 * Values for every leaf of `graph`, in binding order, from a seed. Every value is exactly
 * representable in float32, so a float32 backend and the float64 reference see the same inputs.
 */
export function graphInputs(graph: Graph, options: InputOptions, seed: number): Tensor[] {
  const random = seededRandom(seed)
  const uniform = (limit: number) => Math.fround((2 * random() - 1) * limit)
  const dataValue = () => {
    if (random() >= options.saturation) return Math.fround(4 * random() - 2)
    const m = 10 + random() * (INPUT_LIMIT - 10)
    return Math.fround(random() < 0.5 ? -m : m)
  }
  return leavesOf(graph).map(({ name, type, op }) => {
    const dims = dimsFor(type, options.batch, options.steps)
    const role = options.roles?.[name] ?? (op === 'param' ? 'param' : 'data')
    if (role === 'lengths') {
      const lengths = Array.from({ length: options.batch }, () => 1 + Math.floor(random() * options.steps))
      return lengthMask(lengths, options.steps)
    }
    const size = dims.reduce((n, d) => n * d, 1)
    const draw =
      role === 'data'
        ? dataValue
        : role === 'param' || role === 'coefficient'
          ? () => uniform(PARAM_LIMIT)
          : () => Math.floor(random() * role.classes)
    return tensor(dims, Array.from({ length: size }, draw))
  })
}

export interface InputArbOptions {
  readonly batch: number
  readonly steps: number
  readonly roles?: Readonly<Record<string, InputRole>>
}

/** A seed and a saturation level; `values(graph)` turns them into the graph's inputs. */
export interface InputDraw {
  readonly seed: number
  readonly saturation: number
}

/** Seeds and saturation levels: none, some (30% of data values) or all saturated. */
export const inputDrawArb: fc.Arbitrary<InputDraw> = fc.record({
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
  saturation: fc.constantFrom(0.3, 0, 1),
})

/** Random inputs for every leaf of a graph (parameters, data, coefficients, class targets). */
export function graphInputsArb(graph: Graph, options: InputArbOptions): fc.Arbitrary<Tensor[]> {
  return inputDrawArb.map((d) => graphInputs(graph, { ...options, saturation: d.saturation }, d.seed))
}

/** The inputs as readable text, one leaf a line, values to 4 significant digits. */
export function formatInputs(graph: Graph, values: readonly Tensor[]): string {
  return leavesOf(graph)
    .map(({ name }, i) => {
      const t = values[i]!
      const shown = Array.from(t.data, (v) => Number(v.toPrecision(4)))
      return `  ${name} [${t.dims.join(',')}] = [${shown.join(', ')}]`
    })
    .join('\n')
}
