import {
  asBoolean,
  asChoice,
  asInteger,
  asNumber,
  asObject,
  directions,
  JsonFormatError,
  onlyFields,
  outputSize,
  own,
} from '@cellgraph/graph'
import { checkpointLimits, metadataJson, readCells } from '../checkpointMetadata.js'
import { directionCount, headPositions, type ModelSpec, specConflict, tasks } from './options.js'

const PATH = 'metadata model'
const FIELDS = ['inputWidth', 'tokens', 'embedding', 'dropout', 'direction', 'task', 'outputs', 'at']

/**
 * The `ModelSpec` a model file's metadata (`cells`, `model`) describes, every field checked as
 * `resolveSpec` checks options: types, ranges (`checkpointLimits`), the rules between fields
 * (`specConflict`) and that each layer reads what the one below it gives. Errors name the field,
 * e.g. `metadata model.task: must be one of regression, classification, next-token, got "bogus"`.
 */
export function readSavedSpec(metadata: Readonly<Record<string, string>>): ModelSpec {
  const cells = readCells(metadataJson(metadata, 'cells'))
  const m = asObject(metadataJson(metadata, 'model'), PATH)
  onlyFields(m, FIELDS, PATH)
  const field = (key: string) => [own(m, key), `${PATH}.${key}`] as const
  const tokens = asBoolean(...field('tokens'))
  const inputWidth = asInteger(
    ...field('inputWidth'),
    1,
    tokens ? checkpointLimits.vocabularySize : checkpointLimits.features,
  )
  const embedding = asInteger(...field('embedding'), 0, checkpointLimits.embedding)
  const dropout = asNumber(...field('dropout'), 0, 1)
  if (dropout === 1) throw new JsonFormatError(`${PATH}.dropout`, 'must be a number in [0, 1), got 1')
  // Files saved before directions existed have none: they read forward.
  const direction =
    own(m, 'direction') === undefined ? 'forward' : asChoice(...field('direction'), directions)
  const task = asChoice(...field('task'), tasks)
  const outputs = asInteger(...field('outputs'), 1, checkpointLimits.outputs)
  const at = asChoice(...field('at'), headPositions)
  const spec: ModelSpec = { cells, inputWidth, tokens, embedding, dropout, direction, task, outputs, at }
  const conflict = specConflict(spec)
  if (conflict) throw new JsonFormatError(`${PATH}.${conflict[0]}`, conflict[1])
  let width = embedding || inputWidth
  cells.forEach((cell, l) => {
    if (cell.sizes.input !== width)
      throw new JsonFormatError(
        `metadata cells[${l}]`,
        `reads ${cell.sizes.input} inputs per step, ${l === 0 ? 'the model feeds it' : 'the layer below gives'} ${width}`,
      )
    width = directionCount(spec) * outputSize(cell)
  })
  return spec
}
