import { GraphError } from '../errors.js'
import type { Graph } from '../ir.js'
import { GraphBuilder, type Value } from './builder.js'
import { type Cell, type CellDefinition, cellParams, outputSize } from './cell.js'

export interface StackSizes {
  readonly input: number
  readonly hidden: number
  readonly layers: number
}

/** The cells of a stack: layer 0 reads the input, layer l > 0 reads layer l−1's output. */
export function stackCells(definition: CellDefinition, { input, hidden, layers }: StackSizes): Cell[] {
  if (!Number.isInteger(layers) || layers < 1)
    throw new GraphError(`a stack needs at least one layer, got ${layers}`)
  const cells: Cell[] = []
  for (let l = 0; l < layers; l++)
    cells.push(definition({ input: l === 0 ? input : outputSize(cells[l - 1]!), hidden }))
  return cells
}

/**
 * A multi-layer recurrent model over a whole sequence: one `scan` per layer. Inputs: `x` [T,B,I],
 * then per layer its initial states `l<k>.<state>0` and parameters `l<k>.<param>`. Outputs: `y`
 * (the last layer's outputs, [T,B,H]) and every layer's final states `l<k>.<state>`.
 */
export function sequenceGraph(cells: readonly Cell[]): Graph {
  const b = new GraphBuilder()
  const first = cells[0]
  if (!first) throw new GraphError('a sequence model needs at least one cell')
  let xs: Value = b.leaf('input', 'x', { name: 'x', type: { layout: 'seq', shape: [first.sizes.input] } })
  const finals: { name: string; value: Value }[] = []
  cells.forEach((cell, l) => {
    const prefix = `l${l}.`
    const states = cell.state.map((s) =>
      b.leaf('input', `${prefix}${s}0`, {
        name: `${prefix}${s}0`,
        type: { layout: 'batch', shape: [cell.sizes.hidden] },
      }),
    )
    const params = cellParams(cell).map((p) =>
      b.leaf('param', prefix + p.name, { name: prefix + p.name, shape: [...p.shape] }),
    )
    const outs = b.apply(
      'scan',
      [...states, xs, ...params],
      { body: cell.graph, carries: states.length, sequences: 1, reverse: false },
      `l${l}`,
    )
    cell.state.forEach((s, k) => finals.push({ name: `${prefix}${s}`, value: outs[k]! }))
    xs = outs[cell.state.length]!
  })
  return b.build([{ name: 'y', value: xs }, ...finals])
}
