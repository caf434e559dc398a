import {
  type Cell,
  type CellDefinition,
  cellParams,
  type Graph,
  GraphBuilder,
  gru,
  lstm,
  mul,
  outputSize,
  sumAll,
} from '@cellgraph/graph'
import { layerNormLstm } from './cells/layerNormLstm.js'
import type { BenchConfig } from './configs.js'

/** The cells the bench compiles: the LSTM every peer runs, and two more for cellgraph alone. */
export const benchCells: Readonly<Record<string, CellDefinition>> = {
  lstm,
  gru,
  layer_norm_lstm: layerNormLstm,
}

export const cellFor = (definition: CellDefinition, config: BenchConfig): Cell =>
  definition({ input: config.input, hidden: config.hidden })

/**
 * The benchmark's forward graph for one cell: a single-layer scan over `x` [T,B,I] from initial
 * states `<state>0`, and loss = Σ_t h_t·R_t for a fixed sequence `R` [T,B,H]. Inputs (by leaf
 * name): `x`, the initial states, the cell's parameters, `R`. Outputs: `loss`, `y`.
 */
export function workloadGraph(cell: Cell): Graph {
  const b = new GraphBuilder()
  const x = b.leaf('input', 'x', { name: 'x', type: { layout: 'seq', shape: [cell.sizes.input] } })
  const states = cell.state.map((s) =>
    b.leaf('input', `${s}0`, { name: `${s}0`, type: { layout: 'batch', shape: [cell.sizes.hidden] } }),
  )
  const params = cellParams(cell).map((p) => b.leaf('param', p.name, { name: p.name, shape: [...p.shape] }))
  const target = b.leaf('input', 'R', { name: 'R', type: { layout: 'seq', shape: [outputSize(cell)] } })
  const outs = b.apply(
    'scan',
    [...states, x, ...params],
    { body: cell.graph, carries: states.length, sequences: 1, reverse: false },
    'cell',
  )
  const y = outs[states.length]!
  return b.build([
    { name: 'loss', value: sumAll(mul(y, target)) },
    { name: 'y', value: y },
  ])
}
