import { grad } from '@cellgraph/autodiff'
import {
  type CellDefinition,
  coupledLstm,
  type Graph,
  gru,
  lstm,
  peepholeLstm,
  rnn,
  seedGru,
  stackCells,
  type Tensor,
} from '@cellgraph/graph'
import { type Model, sequenceModel } from '../model.js'
import type { CellCase } from '../random/cellCase.js'
import { graphInputs, leavesOf } from '../random/values.js'

/** A graph and inputs for it: what one conformance check runs. */
export interface GraphCase {
  readonly name: string
  readonly graph: Graph
  readonly inputs: readonly Tensor[]
}

/** A sequence model and its inputs: checked forward (the model) and backward (its gradient graph). */
export interface ModelCase {
  readonly name: string
  readonly model: Model
  readonly inputs: readonly Tensor[]
}

/** The built-in cells, by the names the suite reports. */
export const builtinCellDefinitions: Readonly<Record<string, CellDefinition>> = {
  rnn,
  lstm,
  peepholeLstm,
  coupledLstm,
  gru,
  seedGru,
}

/** Small enough for a software WebGPU driver, large enough for every index to matter. */
const SIZES = { input: 3, hidden: 4 }
const SHAPE = { batch: 2, steps: 4 }

const modelCase = (name: string, model: Model, saturation: number, seed: number): ModelCase => ({
  name,
  model,
  inputs: graphInputs(model.graph, { ...SHAPE, saturation, roles: model.roles }, seed),
})

/**
 * The fixed cases: every built-in cell, a two-layer LSTM stack, a two-layer bidirectional GRU with
 * per-sequence lengths, a two-layer reverse LSTM, a GRU with clipped pre-activations and an LSTM
 * without biases, each with inputs in [-2, 2] and with saturated
 * inputs (every data value of magnitude 10 to 50).
 */
export function builtinModelCases(): ModelCase[] {
  const cases: ModelCase[] = []
  const add = (name: string, model: Model) => {
    cases.push(modelCase(name, model, 0, 1), modelCase(`${name}, saturated`, model, 1, 2))
  }
  for (const [name, definition] of Object.entries(builtinCellDefinitions))
    add(name, sequenceModel([definition(SIZES)]))
  add('two-layer lstm stack', sequenceModel(stackCells(lstm, { ...SIZES, layers: 2 }), { head: 'mixed' }))
  const bidirectional = { ...SIZES, layers: 2, direction: 'bidirectional' } as const
  add(
    'two-layer bidirectional gru with lengths',
    sequenceModel(stackCells(gru, bidirectional), { direction: 'bidirectional', lengths: true }),
  )
  add(
    'two-layer reverse lstm',
    sequenceModel(stackCells(lstm, { ...SIZES, layers: 2 }), { direction: 'reverse' }),
  )
  add('clipped gru', sequenceModel([gru(SIZES)], { clip: 1.5 }))
  // PyTorch's bias=False: layers with no bias operand at all.
  add('bias-free lstm', sequenceModel([lstm({ ...SIZES, bias: false })]))
  return cases
}

/** The leaves a gradient check differentiates: all but the loss head's coefficients and targets. */
export const gradientLeaves = (model: Model): string[] =>
  leavesOf(model.graph)
    .map((l) => l.name)
    .filter((name) => !(name in model.roles))

/** The gradient graph of a model (every output, then grad.<leaf> for every parameter, input and initial state). */
export const gradientGraph = (model: Model): Graph =>
  grad(model.graph, { loss: model.loss, wrt: gradientLeaves(model) })

export const forwardCase = (c: ModelCase | CellCase, name = 'forward'): GraphCase => ({
  name,
  graph: c.model.graph,
  inputs: c.inputs,
})

export const backwardCase = (c: ModelCase | CellCase, name = 'backward'): GraphCase => ({
  name,
  graph: gradientGraph(c.model),
  inputs: c.inputs,
})
