import type { Backend, BackendName } from '@cellgraph/backends'
import {
  cellToJson,
  GraphError,
  JsonFormatError,
  nullMap,
  own,
  quoted,
  type Tensor,
  tensor,
} from '@cellgraph/graph'
import { decodeSafetensors, encodeSafetensors, type StoredTensor } from '../safetensors.js'
import { ModelCore } from './core.js'
import { RecurrentModel } from './model.js'
import type { ModelSpec } from './options.js'
import { parameterSizes } from './parameterSizes.js'
import { readSavedSpec } from './savedSpec.js'
import { expectedState, StateDictError } from './stateDict.js'
import { isTrainingTensor, restoreTraining, savedTraining } from './trainingState.js'

const FORMAT = 'cellgraph-model'
const VERSION = '1'

export class ModelFileError extends Error {
  override name = 'ModelFileError'
}

export interface SaveOptions {
  /**
   * Include the training state when `fit` has run: the optimizer's moments, settings and step
   * count, and the generator's state, so `fit` on the loaded model continues exactly. Default true.
   */
  readonly optimizer?: boolean
}

/**
 * The model as safetensors bytes: its state dict (float32, PyTorch's names where the cell has
 * them) and, in `__metadata__`, the cells' JSON and the model's structure, so `loadModel` needs
 * nothing else; after `fit`, also the training state (`SaveOptions`). Plain `Uint8Array`: write it
 * to a file, IndexedDB or a download.
 */
export async function saveModel(model: RecurrentModel, options: SaveOptions = {}): Promise<Uint8Array> {
  const training = options.optimizer === false ? undefined : await savedTraining(model.core)
  const tensors: Record<string, StoredTensor> = {}
  for (const [name, t] of Object.entries({ ...(await model.stateDict()), ...training?.tensors })) {
    // Refused here rather than written as a file `loadModel` would refuse. Training leaves none
    // (the optimizer graph skips a non-finite step on the device); `loadStateDict` could.
    const bad = t.data.findIndex((v) => !Number.isFinite(v))
    if (bad >= 0)
      throw new ModelFileError(
        `cannot save: tensor ${quoted(name)} holds ${t.data[bad]} at element ${bad} (load finite values, or reload the last saved model)`,
      )
    tensors[name] = { dtype: 'F32', shape: t.dims, data: Float32Array.from(t.data) }
  }
  const { cells, ...rest } = model.spec
  return encodeSafetensors(tensors, {
    format: FORMAT,
    version: VERSION,
    cells: `[${cells.map((c) => cellToJson(c, 0)).join(',')}]`,
    model: JSON.stringify(rest),
    ...(training ? { training: training.metadata } : {}),
  })
}

/**
 * A model from `saveModel` bytes, on a backend by name or object (default as `recurrentModel`).
 * A saved training state is restored: `fit` continues its optimizer and generator (`seed`
 * reseeds the generator instead). Nothing in the file is trusted: the container is checked by
 * `decodeSafetensors` (`SafetensorsError`), the metadata field by field and the tensors name by
 * name and shape by shape (`ModelFileError`, naming the field or tensor).
 */
export async function loadModel(
  bytes: Uint8Array,
  options: { backend?: BackendName | Backend; seed?: number } = {},
): Promise<RecurrentModel> {
  const { tensors, metadata } = decodeSafetensors(bytes)
  if (own(metadata, 'format') !== FORMAT)
    throw new ModelFileError(`not a cellgraph model (no '${FORMAT}' metadata)`)
  if (own(metadata, 'version') !== VERSION)
    throw new ModelFileError(
      `metadata version: unsupported model version ${quoted(String(own(metadata, 'version')))}`,
    )
  const spec = fileField(() => readSavedSpec(metadata))
  // Names come from the file: maps without a prototype, so `__proto__` is just a (wrong) name.
  const state = nullMap<Tensor>()
  const moments = nullMap<Tensor>()
  for (const [name, t] of Object.entries(tensors)) {
    // A saved model holds finite values only (`saveModel` refuses others).
    const bad = t.data.findIndex((v) => !Number.isFinite(v))
    if (bad >= 0) throw new ModelFileError(`tensor ${quoted(name)}: value ${bad} is ${t.data[bad]}`)
    ;(isTrainingTensor(name) ? moments : state)[name] = tensor(t.shape, Float64Array.from(t.data))
  }
  checkParameterCount(spec, state)
  const training = own(metadata, 'training') as string | undefined
  if (training === undefined && Object.keys(moments).length > 0)
    throw new ModelFileError(`tensor '${Object.keys(moments)[0]}' has no metadata 'training' to go with it`)
  const model = new RecurrentModel(await ModelCore.create(spec, options.backend, options.seed ?? 0))
  try {
    fileField(() => model.loadStateDict(state))
    if (training !== undefined)
      await restoreTraining(
        model.core,
        training,
        moments,
        expectedState(model.core),
        options.seed !== undefined,
      )
  } catch (e) {
    model.dispose()
    throw e instanceof JsonFormatError ? new ModelFileError(e.message) : e
  }
  return model
}

/** Runs a step of reading the file, reporting its named errors as `ModelFileError`s. */
function fileField<T>(read: () => T): T {
  try {
    return read()
  } catch (e) {
    if (e instanceof JsonFormatError || e instanceof StateDictError) throw new ModelFileError(e.message)
    throw e
  }
}

/**
 * A spec that claims far more parameters than the file holds would make the model allocate them
 * before the tensors are compared: such a file is refused first. Up to `SLACK` values more, the
 * model is made and the state dict names the tensor that differs.
 */
const SLACK = 2 ** 22

function checkParameterCount(spec: ModelSpec, state: Readonly<Record<string, Tensor>>): void {
  const held = Object.values(state).reduce((n, t) => n + t.data.length, 0)
  let needed: number
  try {
    needed = parameterSizes(spec).reduce((n, p) => n + p.values, 0)
  } catch (e) {
    if (e instanceof GraphError)
      throw new ModelFileError(`metadata model: describes no valid model: ${e.message}`)
    throw e
  }
  if (needed > held + SLACK)
    throw new ModelFileError(
      `metadata model: describes a model of ${needed} parameter values, the file's tensors hold ${held}`,
    )
}
