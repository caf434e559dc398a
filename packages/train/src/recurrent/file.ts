import type { Backend, BackendName } from '@cellgraph/backends'
import { cellFromJson, cellToJson, type Tensor, tensor } from '@cellgraph/graph'
import { decodeSafetensors, encodeSafetensors, type StoredTensor } from '../safetensors.js'
import { ModelCore } from './core.js'
import { RecurrentModel } from './model.js'
import type { ModelSpec } from './options.js'

const FORMAT = 'cellgraph-model'
const VERSION = '1'

export class ModelFileError extends Error {
  override name = 'ModelFileError'
}

/**
 * The model as safetensors bytes: its state dict (float32, PyTorch's names where the cell has
 * them) and, in `__metadata__`, the cells' JSON and the model's structure, so `loadModel` needs
 * nothing else. Plain `Uint8Array`: write it to a file, IndexedDB or a download.
 */
export async function saveModel(model: RecurrentModel): Promise<Uint8Array> {
  const tensors: Record<string, StoredTensor> = {}
  for (const [name, t] of Object.entries(await model.stateDict()))
    tensors[name] = { dtype: 'F32', shape: t.dims, data: Float32Array.from(t.data) }
  const { cells, ...rest } = model.spec
  return encodeSafetensors(tensors, {
    format: FORMAT,
    version: VERSION,
    cells: `[${cells.map((c) => cellToJson(c, 0)).join(',')}]`,
    model: JSON.stringify(rest),
  })
}

/** A model from `saveModel` bytes, on a backend by name or object (default as `recurrentModel`). */
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
  const state: Record<string, Tensor> = {}
  for (const [name, t] of Object.entries(tensors)) state[name] = tensor(t.shape, Float64Array.from(t.data))
  model.loadStateDict(state)
  return model
}
