import { GraphError } from '../errors.js'
import type { TorchLayout } from '../interop.js'
import type { Graph } from '../ir.js'
import { signature } from '../verify.js'
import { GraphBuilder, tracing, type Value } from './builder.js'

/** What a cell is instantiated at: its sizes and whether its layers have biases. */
export interface CellSizes {
  readonly input: number
  readonly hidden: number
  /**
   * As PyTorch's `bias`: default true; `false` builds every layer without bias vectors (see
   * `layerBiases`). Kept in `Cell.sizes` only when false, so biased cells read as before.
   */
  readonly bias?: boolean
}

/**
 * The `biases` a built-in cell's layers take at these sizes: `count` (1, or 2 for PyTorch's
 * bias_ih + bias_hh), or 0 when the cell is built with `bias: false`.
 */
export const layerBiases = (sizes: CellSizes, count: 1 | 2 = 1): 0 | 1 | 2 =>
  sizes.bias === false ? 0 : count

/**
 * A cell instantiated at concrete sizes. Its graph computes one time step: inputs are the states
 * (in `state` order), then `x`, then the parameters; outputs are the new states (named like the
 * states), then `output`. It is exactly the body a `scan` runs.
 */
export interface Cell {
  readonly name: string
  readonly sizes: CellSizes
  readonly state: readonly string[]
  readonly graph: Graph
  /** How the parameters map onto PyTorch's tensors, for cells that have a PyTorch counterpart. */
  readonly torch?: TorchLayout
}

export interface CellSpec<S extends string = string> {
  /** Names of the recurrent state tensors, each of size `hidden`. */
  readonly state: readonly S[]
  readonly torch?: (sizes: CellSizes) => TorchLayout
}

export interface CellStep<S extends string = string> {
  readonly state: Readonly<Record<S, Value>>
  readonly output: Value
}

/** The body of a cell: from `x` and the states (by name) to the new states and the output. */
export type CellBody<S extends string = string> = (
  vars: Readonly<Record<S | 'x', Value>>,
  sizes: CellSizes,
) => CellStep<S>

/** A cell definition: call it with sizes to get a Cell. */
export interface CellDefinition {
  (sizes: CellSizes): Cell
  readonly cellName: string
  readonly spec: CellSpec
}

/**
 * Defines a cell from a function that reads like its equations:
 *
 *     const rnn = defineCell('rnn', { state: ['h'] }, ({ x, h }, { hidden }) => {
 *       const h2 = layer('h', concat(h, x), hidden, tanh)
 *       return { state: { h: h2 }, output: h2 }
 *     })
 */
export function defineCell<const S extends string>(
  name: string,
  spec: CellSpec<S>,
  body: CellBody<S>,
): CellDefinition {
  const instantiate = (sizes: CellSizes): Cell => {
    for (const key of ['input', 'hidden'] as const)
      if (!Number.isInteger(sizes[key]) || sizes[key] < 1)
        throw new GraphError(`cell '${name}': size ${key} must be a positive integer, got ${sizes[key]}`)
    if (sizes.bias !== undefined && typeof sizes.bias !== 'boolean')
      throw new GraphError(`cell '${name}': bias must be true or false, got ${String(sizes.bias)}`)
    sizes = { input: sizes.input, hidden: sizes.hidden, ...(sizes.bias === false ? { bias: false } : {}) }
    const b = new GraphBuilder()
    const vars: Record<string, Value> = {}
    for (const s of spec.state)
      vars[s] = b.leaf('state', s, { name: s, type: { layout: 'batch', shape: [sizes.hidden] } })
    vars.x = b.leaf('input', 'x', { name: 'x', type: { layout: 'batch', shape: [sizes.input] } })
    const step: CellStep = tracing(b, () => body(vars as Record<S | 'x', Value>, sizes))
    const outputs = spec.state.map((s) => {
      const v = step.state[s] as Value | undefined
      if (!v) throw new GraphError(`cell '${name}' does not return state '${s}'`)
      v.as(`${s}_next`)
      return { name: s, value: v }
    })
    for (const s of Object.keys(step.state))
      if (!(spec.state as readonly string[]).includes(s))
        throw new GraphError(`cell '${name}' returns state '${s}', which it does not declare`)
    const graph = b.build([...outputs, { name: 'output', value: step.output }])
    return { name, sizes, state: spec.state, graph, ...(spec.torch ? { torch: spec.torch(sizes) } : {}) }
  }
  return Object.assign(instantiate, { cellName: name, spec })
}

/** The parameter leaves of a cell's graph: name and shape, in binding order. */
export function cellParams(cell: Cell): { name: string; shape: readonly number[] }[] {
  const byId = new Map(cell.graph.nodes.map((n) => [n.id, n]))
  return cell.graph.inputs
    .map((id) => byId.get(id)!)
    .filter((n) => n.op === 'param')
    .map((n) => n.attrs as { name: string; shape: number[] })
}

/** The size of the per-step output of a cell. */
export const outputSize = (cell: Cell): number => signature(cell.graph).outputs.at(-1)!.shape[0]!
