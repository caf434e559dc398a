import type { Backend, BackendName } from '@cellgraph/backends'
import { cellFromJson, cellToJson, JsonFormatError, nullMap, type Tensor, tensor } from '@cellgraph/graph'
import { decodeSafetensors, encodeSafetensors, type StoredTensor } from '../safetensors.js'
import { ModelCore } from './core.js'
import { RecurrentModel } from './model.js'
import type { ModelSpec } from './options.js'
import { expectedState } from './stateDict.js'
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
  for (const [name, t] of Object.entries({ ...(await model.stateDict()), ...training?.tensors }))
    tensors[name] = { dtype: 'F32', shape: t.dims, data: Float32Array.from(t.data) }
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
 * reseeds the generator instead).
 */
export async function loadModel(
  bytes: Uint8Array,
  options: { backend?: BackendName | Backend; seed?: number } = {},
): Promise<RecurrentModel> {
  const { tensors, metadata } = decodeSafetensors(bytes)
  if (metadata.format !== FORMAT) throw new ModelFileError(`not a cellgraph model (no '${FORMAT}' metadata)`)
  if (metadata.version !== VERSION)
    throw new ModelFileError(`unsupported model version '${metadata.version}'`)
  let spec: ModelSpec
  try {
    const cells = (JSON.parse(metadata.cells ?? '') as unknown[]).map((c) => cellFromJson(c))
    spec = { ...(JSON.parse(metadata.model ?? '') as Omit<ModelSpec, 'cells'>), cells }
  } catch (e) {
    throw new ModelFileError(`the model's metadata is damaged: ${(e as Error).message}`)
  }
  const model = new RecurrentModel(await ModelCore.create(spec, options.backend, options.seed ?? 0))
  // Names come from the file: maps without a prototype, so `__proto__` is just a (wrong) name.
  const state = nullMap<Tensor>()
  const moments = nullMap<Tensor>()
  for (const [name, t] of Object.entries(tensors))
    (isTrainingTensor(name) ? moments : state)[name] = tensor(t.shape, Float64Array.from(t.data))
  model.loadStateDict(state)
  const training = Object.hasOwn(metadata, 'training') ? metadata.training : undefined
  if (training === undefined && Object.keys(moments).length > 0)
    throw new ModelFileError(`tensor '${Object.keys(moments)[0]}' has no metadata 'training' to go with it`)
  if (training !== undefined)
    try {
      await restoreTraining(
        model.core,
        training,
        moments,
        expectedState(model.core),
        options.seed !== undefined,
      )
    } catch (e) {
      model.dispose()
      if (e instanceof JsonFormatError) throw new ModelFileError(e.message)
      throw e
    }
  return model
}
