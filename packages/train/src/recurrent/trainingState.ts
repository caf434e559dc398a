import {
  asInteger,
  asNumber,
  asObject,
  JsonFormatError,
  onlyFields,
  own,
  parseJsonText,
  type Tensor,
} from '@cellgraph/graph'
import { readOptimizer } from '../checkpointMetadata.js'
import { fromStoredNames, toStoredNames } from '../model/names.js'
import { readAll } from '../run/session.js'
import type { ModelCore } from './core.js'

/**
 * The training state a model file may carry, so `fit` on the loaded model continues as if it had
 * never stopped: the optimizer `fit` kept (its settings, clip and step count in the metadata
 * `training`, its moments as tensors `optimizer.<slot>.<state-dict name>`, e.g.
 * `optimizer.exp_avg.rnn.weight_ih_l0`) and the generator that shuffles and draws dropout masks.
 */
export interface SavedTraining {
  readonly metadata: string
  readonly tensors: Record<string, Tensor>
}

const PREFIX = 'optimizer.'

/** The model's training state, or nothing when `fit` has not made an optimizer. */
export async function savedTraining(core: ModelCore): Promise<SavedTraining | undefined> {
  const kept = core.optimizer
  if (!kept) return undefined
  const tensors: Record<string, Tensor> = {}
  for (const [slot, byParam] of Object.entries(kept.optimizer.slots))
    for (const [name, t] of Object.entries(toStoredNames(core.spec, await readAll(byParam))))
      tensors[`${PREFIX}${slot}.${name}`] = t
  const metadata = JSON.stringify({
    optimizer: kept.optimizer.config,
    clip: kept.clip,
    step: kept.optimizer.step,
    rng: core.rng.state,
  })
  return { metadata, tensors }
}

/** Whether a model file's tensor belongs to the training state rather than the state dict. */
export const isTrainingTensor = (name: string): boolean => name.startsWith(PREFIX)

/**
 * Restores a file's training state into `core`: every field of the metadata and every moment's
 * name and shape are checked (the model's shapes are `expected`, by state-dict name); errors name
 * the field or tensor. `keepRng` leaves the generator as seeded.
 */
export async function restoreTraining(
  core: ModelCore,
  metadata: string,
  tensors: Readonly<Record<string, Tensor>>,
  expected: Readonly<Record<string, readonly number[]>>,
  keepRng: boolean,
): Promise<void> {
  const path = 'metadata training'
  const doc = asObject(parseJsonText(metadata, path), path)
  onlyFields(doc, ['optimizer', 'clip', 'step', 'rng'], path)
  const config = readOptimizer(own(doc, 'optimizer'), `${path}.optimizer`)
  const clip = asNumber(own(doc, 'clip'), `${path}.clip`, 0, 1e12)
  const step = asInteger(own(doc, 'step'), `${path}.step`, 0, 2 ** 31)
  const rng = asInteger(own(doc, 'rng'), `${path}.rng`, 0, 2 ** 32 - 1)
  const optimizer = await core.optimizerFor(config, clip)
  for (const name of Object.keys(tensors)) {
    const [slot, ...rest] = name.slice(PREFIX.length).split('.')
    if (!Object.hasOwn(optimizer.slots, slot!))
      throw new JsonFormatError(
        `tensor '${name}'`,
        `is no state of ${config.kind} (its state: ${Object.keys(optimizer.slots).join(', ') || 'none'})`,
      )
    if (!Object.hasOwn(expected, rest.join('.')))
      throw new JsonFormatError(`tensor '${name}'`, 'belongs to no parameter of the model')
  }
  for (const [slot, targets] of Object.entries(optimizer.slots)) {
    const stored: Record<string, Tensor> = {}
    for (const [name, shape] of Object.entries(expected)) {
      const key = `${PREFIX}${slot}.${name}`
      const t = Object.hasOwn(tensors, key) ? tensors[key] : undefined
      if (!t) throw new JsonFormatError(`tensor '${key}'`, 'is missing')
      if (t.dims.join() !== shape.join())
        throw new JsonFormatError(`tensor '${key}'`, `has shape [${t.dims}], the parameter has [${shape}]`)
      stored[name] = t
    }
    for (const [name, t] of Object.entries(fromStoredNames(core.spec, stored))) targets[name]!.write(t.data)
  }
  optimizer.step = step
  if (!keepRng) core.rng.state = rng
}
