import { builtinCells, type Cell, cellFromJson, stackCells } from '@cellgraph/graph'
import type { ModelSpec } from '../recurrent/options.js'

/**
 * A character language model: one-hot input (optionally through a learned embedding), a stack of
 * recurrent cells with dropout between layers, and a linear head whose softmax predicts the next
 * character. It is the next-token case of `recurrentModel`'s models (`languageModelSpec`): one
 * definition builds, initialises and names both.
 */
export interface ModelConfig {
  /** The cells of the stack, layer 0 first (layer l > 0 reads layer l − 1's output). */
  readonly cells: readonly Cell[]
  readonly vocabularySize: number
  /** Size of the learned embedding in front of the cells; 0 feeds the one-hot rows directly. */
  readonly embedding: number
  /** Dropout probability between stacked layers (training only). */
  readonly dropout: number
}

/** The character model as a recurrent model's spec: token inputs, the next token at each step. */
export const languageModelSpec = (model: ModelConfig): ModelSpec => ({
  cells: model.cells,
  inputWidth: model.vocabularySize,
  tokens: true,
  embedding: model.embedding,
  dropout: model.dropout,
  direction: 'forward',
  task: 'next-token',
  outputs: model.vocabularySize,
  at: 'each',
})

export interface ModelSizes {
  readonly vocabularySize: number
  readonly hidden: number
  readonly layers: number
  readonly embedding?: number
  readonly dropout?: number
}

/** A model from a built-in cell's name, stacked at the given sizes. */
export function builtinModel(cellName: string, sizes: ModelSizes): ModelConfig {
  const definition = Object.hasOwn(builtinCells, cellName) ? builtinCells[cellName] : undefined
  if (!definition)
    throw new Error(
      `unknown cell '${cellName}'; the built-in cells are ${Object.keys(builtinCells).join(', ')}`,
    )
  const embedding = sizes.embedding ?? 0
  return {
    cells: stackCells(definition, {
      input: embedding || sizes.vocabularySize,
      hidden: sizes.hidden,
      layers: sizes.layers,
    }),
    vocabularySize: sizes.vocabularySize,
    embedding,
    dropout: sizes.dropout ?? 0,
  }
}

/**
 * A one-layer model around a cell loaded from JSON. A cell JSON fixes its sizes, so when its input
 * size differs from the vocabulary's, a learned embedding of that size adapts the one-hot rows.
 */
export function cellModel(cellJson: string | unknown, vocabularySize: number): ModelConfig {
  const cell = cellFromJson(cellJson)
  return {
    cells: [cell],
    vocabularySize,
    embedding: cell.sizes.input === vocabularySize ? 0 : cell.sizes.input,
    dropout: 0,
  }
}
