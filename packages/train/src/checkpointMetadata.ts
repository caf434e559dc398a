import {
  asArray,
  asChoice,
  asInteger,
  asNumber,
  asObject,
  type Cell,
  cellFromJson,
  GraphError,
  JsonFormatError,
  onlyFields,
  own,
  parseJsonText,
} from '@cellgraph/graph'
import { Vocabulary } from './data/vocabulary.js'
import type { ModelConfig } from './model/config.js'
import { type OptimizerConfig, optimizerKinds } from './optim/config.js'
import type { Schedule } from './optim/schedule.js'
import type { TrainConfig } from './run/trainer.js'

/**
 * The `__metadata__` of a checkpoint, validated field by field before anything uses it: a resumed
 * run trusts nothing a file says about its model or training. Errors name the field, e.g.
 * `metadata training.config.optimizer.kind: must be one of sgd, adam, adamw, got "bogus"`.
 */

/**
 * Limits on what a checkpoint or model file may declare, and so on the models `recurrentModel`
 * makes (a model that could not be loaded back is refused when made); stated in the train README.
 */
export const checkpointLimits = {
  vocabularySize: 65_536,
  embedding: 65_536,
  /** Features per step of a `recurrentModel`, and its regression outputs or classes. */
  features: 65_536,
  outputs: 65_536,
  layers: 256,
  batch: 65_536,
  window: 65_536,
  steps: 2 ** 31,
} as const

/** One metadata entry parsed as JSON; the error names the entry. */
export function metadataJson(metadata: Readonly<Record<string, string>>, key: string): unknown {
  const text = Object.hasOwn(metadata, key) ? metadata[key] : undefined
  if (text === undefined) throw new JsonFormatError(`metadata ${key}`, 'is missing')
  return parseJsonText(text, `metadata ${key}`)
}

/** The cells of a checkpoint or model file, one per layer; errors name the cell and its field. */
export function readCells(doc: unknown): Cell[] {
  const cellDocs = asArray(doc, 'metadata cells', 'a non-empty array of cells')
  if (cellDocs.length === 0 || cellDocs.length > checkpointLimits.layers)
    throw new JsonFormatError('metadata cells', `must list 1 to ${checkpointLimits.layers} cells`)
  return cellDocs.map((d, i): Cell => {
    try {
      return cellFromJson(d)
    } catch (e) {
      if (e instanceof JsonFormatError)
        throw new JsonFormatError(`metadata cells[${i}].${e.path}`, e.message.slice(e.path.length + 2))
      if (e instanceof GraphError) throw new JsonFormatError(`metadata cells[${i}].graph`, e.message)
      throw e
    }
  })
}

/** The model a checkpoint describes: its cells, sizes and dropout. */
export function readModel(cellsDoc: unknown, modelDoc: unknown): ModelConfig {
  const cells = readCells(cellsDoc)
  const m = asObject(modelDoc, 'metadata model')
  onlyFields(m, ['vocabularySize', 'embedding', 'dropout'], 'metadata model')
  return {
    cells,
    vocabularySize: asInteger(
      own(m, 'vocabularySize'),
      'metadata model.vocabularySize',
      1,
      checkpointLimits.vocabularySize,
    ),
    embedding: asInteger(own(m, 'embedding'), 'metadata model.embedding', 0, checkpointLimits.embedding),
    dropout: asNumber(own(m, 'dropout'), 'metadata model.dropout', 0, 0.95),
  }
}

/** The vocabulary: distinct characters (one code point each), in order. */
export function readVocabulary(doc: unknown): Vocabulary {
  const chars = asArray(doc, 'metadata vocabulary', 'an array of characters')
  if (chars.length === 0 || chars.length > checkpointLimits.vocabularySize)
    throw new JsonFormatError(
      'metadata vocabulary',
      `must list 1 to ${checkpointLimits.vocabularySize} characters`,
    )
  chars.forEach((c, i) => {
    if (typeof c !== 'string' || [...c].length !== 1)
      throw new JsonFormatError(`metadata vocabulary[${i}]`, 'must be one character')
  })
  if (new Set(chars).size !== chars.length)
    throw new JsonFormatError('metadata vocabulary', 'lists a character twice')
  return new Vocabulary(chars as string[])
}

/**
 * The training state: known fields are checked (`step`, `optimizerStep`, `rng`, `data`, `config`);
 * other fields are kept as the plain data they are.
 */
export function readTraining(doc: unknown): Record<string, unknown> {
  const path = 'metadata training'
  const t = asObject(doc, path)
  const out: Record<string, unknown> = { ...t }
  if (own(t, 'step') !== undefined)
    out.step = asInteger(own(t, 'step'), `${path}.step`, 0, checkpointLimits.steps)
  if (own(t, 'optimizerStep') !== undefined)
    out.optimizerStep = asInteger(own(t, 'optimizerStep'), `${path}.optimizerStep`, 0, checkpointLimits.steps)
  if (own(t, 'rng') !== undefined) out.rng = asInteger(own(t, 'rng'), `${path}.rng`, 0, 2 ** 32 - 1)
  const data = own(t, 'data')
  if (data !== undefined && data !== null && typeof data !== 'string')
    throw new JsonFormatError(`${path}.data`, 'must be a file name or null')
  if (own(t, 'config') !== undefined) out.config = readTrainConfig(own(t, 'config'), `${path}.config`)
  return out
}

function readTrainConfig(doc: unknown, path: string): TrainConfig {
  const c = asObject(doc, path)
  onlyFields(c, ['batch', 'window', 'steps', 'lr', 'schedule', 'optimizer', 'clip', 'seed'], path)
  return {
    batch: asInteger(own(c, 'batch'), `${path}.batch`, 1, checkpointLimits.batch),
    window: asInteger(own(c, 'window'), `${path}.window`, 1, checkpointLimits.window),
    steps: asInteger(own(c, 'steps'), `${path}.steps`, 1, checkpointLimits.steps),
    lr: asNumber(own(c, 'lr'), `${path}.lr`, 0, 1e6),
    schedule: readSchedule(own(c, 'schedule'), `${path}.schedule`),
    optimizer: readOptimizer(own(c, 'optimizer'), `${path}.optimizer`),
    clip: asNumber(own(c, 'clip'), `${path}.clip`, 0, 1e12),
    seed: asInteger(own(c, 'seed'), `${path}.seed`, 0, 2 ** 32 - 1),
  }
}

function readSchedule(doc: unknown, path: string): Schedule {
  const s = asObject(doc, path)
  const kind = asChoice(own(s, 'kind'), `${path}.kind`, ['constant', 'cosine', 'linear', 'step'] as const)
  const optional = (key: string, min: number, max: number) =>
    own(s, key) === undefined ? {} : { [key]: asNumber(own(s, key), `${path}.${key}`, min, max) }
  const warmup = () =>
    own(s, 'warmup') === undefined
      ? {}
      : { warmup: asInteger(own(s, 'warmup'), `${path}.warmup`, 0, checkpointLimits.steps) }
  switch (kind) {
    case 'constant':
      onlyFields(s, ['kind'], path)
      return { kind }
    case 'cosine':
      onlyFields(s, ['kind', 'warmup', 'minFactor'], path)
      return { kind, ...warmup(), ...optional('minFactor', 0, 1) }
    case 'linear':
      onlyFields(s, ['kind', 'warmup'], path)
      return { kind, ...warmup() }
    case 'step':
      onlyFields(s, ['kind', 'every', 'gamma'], path)
      return {
        kind,
        every: asInteger(own(s, 'every'), `${path}.every`, 1, checkpointLimits.steps),
        gamma: asNumber(own(s, 'gamma'), `${path}.gamma`, 0, 1e6),
      }
  }
}

/** An optimizer's settings (`{ kind, ...}`), each field checked; errors name `path`'s field. */
export function readOptimizer(doc: unknown, path: string): OptimizerConfig {
  const o = asObject(doc, path)
  const kind = asChoice(own(o, 'kind'), `${path}.kind`, optimizerKinds)
  const optional = (key: string, min: number, max: number) =>
    own(o, key) === undefined ? {} : { [key]: asNumber(own(o, key), `${path}.${key}`, min, max) }
  if (kind === 'sgd') {
    onlyFields(o, ['kind', 'momentum', 'weightDecay'], path)
    return { kind, ...optional('momentum', 0, 1), ...optional('weightDecay', 0, 1e6) }
  }
  onlyFields(o, ['kind', 'beta1', 'beta2', 'eps', 'weightDecay'], path)
  return {
    kind,
    ...optional('beta1', 0, 1),
    ...optional('beta2', 0, 1),
    ...optional('eps', 0, 1),
    ...optional('weightDecay', 0, 1e6),
  }
}
