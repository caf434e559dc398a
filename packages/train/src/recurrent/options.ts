import type { Backend, BackendName } from '@cellgraph/backends'
import {
  builtinCells,
  type Cell,
  type CellDefinition,
  cellFromJson,
  type Direction,
  directions,
  stackCells,
} from '@cellgraph/graph'
import { checkpointLimits } from '../checkpointMetadata.js'

/** What the model predicts: numbers (mean squared error), classes, or the next token of its input. */
export type Task = 'regression' | 'classification' | 'next-token'

/** Where the head reads the cells' outputs: at every step, or at each sequence's last step. */
export type HeadAt = 'each' | 'last'

export interface RecurrentModelOptions {
  /** A cell definition (`defineCell`, `lstm`, ...), a built-in cell's name, or a cell JSON document. */
  readonly cell: CellDefinition | string | object
  /** Features per step. Leave out with `tokens`. */
  readonly inputSize?: number
  /** Inputs are token ids below this vocabulary size (one-hot rows, or `embedding`). */
  readonly tokens?: number
  /** A learned embedding of this size in front of the cells (token inputs only). Default 0: none. */
  readonly embedding?: number
  /** Hidden size of every layer. Default 32; a cell JSON fixes its own. */
  readonly hidden?: number
  /** Stacked layers. Default 1. */
  readonly layers?: number
  /**
   * Whether a built-in or defined cell's layers have biases, as PyTorch's `bias`. Default true;
   * a cell JSON fixes its own.
   */
  readonly bias?: boolean
  /** Dropout between stacked layers while training. Default 0. */
  readonly dropout?: number
  /**
   * Which way the layers read each sequence. Default 'forward'. 'bidirectional' runs both ways and
   * feeds both to the next layer and the head (a 'last' head reads the forward direction at the
   * last step and the reverse direction at the first, where each has read the whole sequence), as
   * PyTorch's `bidirectional=True`; 'reverse' reads from the last step back.
   */
  readonly direction?: Direction
  /** Default 'regression' ('next-token' when `tokens` is set and `task` is not). */
  readonly task?: Task
  /** Regression outputs (default 1) or classes (required for classification). */
  readonly outputs?: number
  /** Default 'last' for regression and classification, 'each' for next-token. */
  readonly at?: HeadAt
  /** A backend by name or object. Default 'cpu' where SharedArrayBuffer exists, else 'cpu-js'. */
  readonly backend?: BackendName | Backend
  /** Seed of the initial parameters and dropout masks. Default 0. */
  readonly seed?: number
}

/** The model's structure, every default filled in: what `save()` stores and `loadModel` rebuilds. */
export interface ModelSpec {
  readonly cells: readonly Cell[]
  /** Width of `x` per step: features, or the vocabulary size for tokens (one-hot). */
  readonly inputWidth: number
  readonly tokens: boolean
  readonly embedding: number
  readonly dropout: number
  /** Absent in files saved before directions existed: 'forward'. */
  readonly direction?: Direction
  readonly task: Task
  readonly outputs: number
  readonly at: HeadAt
}

/** What initialisation and PyTorch's names read of a model: its layers, embedding and direction. */
export type ModelLayers = Pick<ModelSpec, 'cells' | 'embedding' | 'direction'>

export class ModelOptionsError extends Error {
  override name = 'ModelOptionsError'
}

const positive = (value: unknown, field: string, max = Number.MAX_SAFE_INTEGER): number => {
  if (!Number.isInteger(value) || (value as number) < 1)
    throw new ModelOptionsError(`${field} must be a positive integer, got ${String(value)}`)
  if ((value as number) > max) throw new ModelOptionsError(`${field} must be at most ${max}, got ${value}`)
  return value as number
}

/** The tasks and head positions a model may have (options and model files alike). */
export const tasks: readonly Task[] = ['regression', 'classification', 'next-token']
export const headPositions: readonly HeadAt[] = ['each', 'last']

/**
 * The rules between a spec's fields, which options and model files both obey: the first broken
 * one as the field it is about and the problem, or nothing.
 */
export function specConflict(spec: ModelSpec): readonly [keyof ModelSpec, string] | undefined {
  const direction = spec.direction ?? 'forward'
  if (spec.embedding !== 0 && !spec.tokens) return ['embedding', 'embedding needs token inputs (tokens)']
  if (spec.task === 'next-token') {
    if (!spec.tokens) return ['task', "task 'next-token' needs token inputs (tokens)"]
    if (spec.outputs !== spec.inputWidth)
      return ['outputs', `task 'next-token' predicts one of ${spec.inputWidth} tokens, not ${spec.outputs}`]
    if (spec.at !== 'each') return ['at', "task 'next-token' predicts at 'each' step"]
    if (direction !== 'forward')
      return [
        'direction',
        `task 'next-token' must not see the steps it predicts: direction must be 'forward', got '${direction}'`,
      ]
  }
  if (spec.dropout > 0 && spec.cells.length < 2)
    return ['dropout', 'dropout acts between layers: it needs layers >= 2']
  return undefined
}

/** Checks the options and instantiates the cells; errors name the option. */
export function resolveSpec(options: RecurrentModelOptions): ModelSpec {
  if (typeof options !== 'object' || options === null)
    throw new ModelOptionsError('recurrentModel takes an options object ({ cell, inputSize, ... })')
  const tokens = options.tokens !== undefined
  if (tokens === (options.inputSize !== undefined))
    throw new ModelOptionsError(
      'give exactly one of inputSize (features per step) and tokens (vocabulary size)',
    )
  const inputWidth = tokens
    ? positive(options.tokens, 'tokens', checkpointLimits.vocabularySize)
    : positive(options.inputSize, 'inputSize', checkpointLimits.features)
  const embedding = options.embedding ?? 0
  if (embedding !== 0) positive(embedding, 'embedding', checkpointLimits.embedding)
  const dropout = options.dropout ?? 0
  if (!(dropout >= 0 && dropout < 1)) throw new ModelOptionsError(`dropout must be in [0, 1), got ${dropout}`)
  const task = options.task ?? (tokens ? 'next-token' : 'regression')
  if (!tasks.includes(task))
    throw new ModelOptionsError(`task must be 'regression', 'classification' or 'next-token', got '${task}'`)
  if (task === 'classification' && options.outputs === undefined)
    throw new ModelOptionsError("task 'classification' needs outputs: the number of classes")
  const outputs =
    task === 'next-token' ? inputWidth : positive(options.outputs ?? 1, 'outputs', checkpointLimits.outputs)
  const at = options.at ?? (task === 'next-token' ? 'each' : 'last')
  if (!headPositions.includes(at)) throw new ModelOptionsError(`at must be 'each' or 'last', got '${at}'`)
  const direction = options.direction ?? 'forward'
  if (!directions.includes(direction))
    throw new ModelOptionsError(`direction must be one of ${directions.join(', ')}, got '${direction}'`)
  const cells = instantiate(options, embedding || inputWidth, direction)
  const spec = { cells, inputWidth, tokens, embedding, dropout, direction, task, outputs, at }
  const conflict = specConflict(spec)
  if (conflict) throw new ModelOptionsError(conflict[1])
  return spec
}

function instantiate(options: RecurrentModelOptions, input: number, direction: Direction): Cell[] {
  const layers = positive(options.layers ?? 1, 'layers', checkpointLimits.layers)
  const { cell } = options
  let definition: CellDefinition | undefined
  if (typeof cell === 'function') definition = cell as CellDefinition
  else if (typeof cell === 'string' && !cell.trimStart().startsWith('{')) {
    definition = Object.hasOwn(builtinCells, cell) ? builtinCells[cell] : undefined
    if (!definition)
      throw new ModelOptionsError(
        `unknown cell '${cell}'; the built-in cells are ${Object.keys(builtinCells).join(', ')}`,
      )
  }
  const { bias } = options
  if (bias !== undefined && typeof bias !== 'boolean')
    throw new ModelOptionsError(`bias must be true or false, got ${String(bias)}`)
  if (definition)
    return stackCells(definition, {
      input,
      hidden: positive(options.hidden ?? 32, 'hidden'),
      layers,
      direction,
      ...(bias === undefined ? {} : { bias }),
    })
  if (cell === undefined || cell === null)
    throw new ModelOptionsError('cell is required: a definition, a name or cell JSON')
  // A cell JSON fixes its sizes, so it makes one layer that must read this input width.
  const fixed = cellFromJson(cell)
  if (layers !== 1) throw new ModelOptionsError('a cell JSON fixes its sizes: stack it by giving layers: 1')
  if (fixed.sizes.input !== input)
    throw new ModelOptionsError(
      `the cell JSON reads ${fixed.sizes.input} inputs per step, the model feeds it ${input}`,
    )
  if (options.hidden !== undefined && options.hidden !== fixed.sizes.hidden)
    throw new ModelOptionsError(
      `the cell JSON has hidden size ${fixed.sizes.hidden}, the options say ${options.hidden}`,
    )
  if (bias !== undefined && bias !== (fixed.sizes.bias !== false))
    throw new ModelOptionsError(
      `the cell JSON has ${bias ? 'no biases' : 'biases'}, the options say bias: ${bias}`,
    )
  return [fixed]
}

/** How many directions each layer runs: 2 for a bidirectional model, else 1. */
export const directionCount = (spec: Pick<ModelSpec, 'direction'>): number =>
  spec.direction === 'bidirectional' ? 2 : 1
