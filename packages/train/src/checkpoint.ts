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
import { metadataJson, readModel, readTraining, readVocabulary } from './checkpointMetadata.js'
import type { Vocabulary } from './data/vocabulary.js'
import type { ModelConfig } from './model/config.js'
import { modelGraph, modelParams } from './model/graph.js'
import { fromStoredNames, toStoredNames } from './model/names.js'
import { type Dtype, decodeSafetensors, encodeSafetensors, type StoredTensor } from './safetensors.js'

const FORMAT = 'cellgraph-checkpoint'
const VERSION = '1'

/**
 * Everything needed to use a model or continue training it exactly. Parameters, optimizer moments
 * and carried recurrent state are tensors; the rest lives in the safetensors `__metadata__`.
 */
export interface Checkpoint {
  readonly model: ModelConfig
  readonly vocabulary: Vocabulary
  /** Parameters by graph name (`l0.i.W`, `head.W`, ...). */
  readonly params: Readonly<Record<string, Tensor>>
  /** Optimizer state: slot (e.g. `exp_avg`) -> parameter graph name -> tensor. */
  readonly optimizer: Readonly<Record<string, Readonly<Record<string, Tensor>>>>
  /** State carried across truncated-BPTT windows (`l0.h`, ...), [B, H]. */
  readonly carried: Readonly<Record<string, Tensor>>
  /** Hyperparameters, step, RNG state: JSON-serialisable. */
  readonly training: Readonly<Record<string, unknown>>
  /** Precision to store tensors in: F32 (compiled backends) or F64 (the reference interpreter). */
  readonly dtype?: 'F32' | 'F64'
}

export class CheckpointError extends Error {
  override name = 'CheckpointError'
}

const toStored = (t: Tensor, dtype: Dtype): StoredTensor => ({
  dtype,
  shape: t.dims,
  data: dtype === 'F32' ? Float32Array.from(t.data) : Float64Array.from(t.data),
})

/** Encodes a checkpoint as safetensors bytes. */
export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const dtype = c.dtype ?? 'F32'
  const tensors: Record<string, StoredTensor> = {}
  for (const [name, t] of Object.entries(toStoredNames(c.model, c.params))) tensors[name] = toStored(t, dtype)
  for (const [slot, byParam] of Object.entries(c.optimizer))
    for (const [name, t] of Object.entries(byParam)) tensors[`optimizer.${slot}.${name}`] = toStored(t, dtype)
  for (const [name, t] of Object.entries(c.carried)) tensors[`carried.${name}`] = toStored(t, dtype)
  const metadata = {
    format: FORMAT,
    version: VERSION,
    cells: `[${c.model.cells.map((cell) => cellToJson(cell, 0)).join(',')}]`,
    model: JSON.stringify({
      vocabularySize: c.model.vocabularySize,
      embedding: c.model.embedding,
      dropout: c.model.dropout,
    }),
    vocabulary: JSON.stringify(c.vocabulary.chars),
    training: JSON.stringify(c.training),
  }
  return encodeSafetensors(tensors, metadata)
}

/** Decodes checkpoint bytes, checking the metadata and every tensor's name, shape and dtype against the model. */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  try {
    return decodeChecked(bytes)
  } catch (e) {
    // Metadata errors name their field (`metadata model.dropout: ...`); they are checkpoint errors.
    if (e instanceof JsonFormatError) throw new CheckpointError(e.message)
    throw e
  }
}

function decodeChecked(bytes: Uint8Array): Checkpoint {
  const { tensors, metadata } = decodeSafetensors(bytes)
  if (own(metadata, 'format') !== FORMAT)
    throw new CheckpointError(`not a cellgraph checkpoint (no '${FORMAT}' metadata)`)
  if (own(metadata, 'version') !== VERSION)
    throw new CheckpointError(`unsupported checkpoint version ${quoted(String(own(metadata, 'version')))}`)
  const model = readModel(metadataJson(metadata, 'cells'), metadataJson(metadata, 'model'))
  const vocabulary = readVocabulary(metadataJson(metadata, 'vocabulary'))
  if (vocabulary.size !== model.vocabularySize)
    throw new CheckpointError(
      `the vocabulary has ${vocabulary.size} characters, the model ${model.vocabularySize}`,
    )
  const training = readTraining(metadataJson(metadata, 'training'))

  const asTensor = (name: string, t: StoredTensor): Tensor => {
    if (t.dtype !== 'F32' && t.dtype !== 'F64')
      throw new CheckpointError(`tensor ${quoted(name)} has dtype ${t.dtype}, expected F32 or F64`)
    return tensor(t.shape, t.data)
  }
  let shapes: Record<string, readonly number[]>
  try {
    shapes = expectedShapes(model)
  } catch (e) {
    // Cells, sizes and embedding that do not fit together (a layer's input is another's output).
    if (e instanceof GraphError)
      throw new CheckpointError(`the metadata describes no valid model: ${e.message}`)
    throw e
  }
  const stored = nullMap<Tensor>()
  for (const [name, shape] of Object.entries(shapes)) {
    const t = tensors[name]
    if (!t) throw new CheckpointError(`tensor ${quoted(name)} is missing`)
    if (t.shape.join() !== shape.join())
      throw new CheckpointError(`tensor ${quoted(name)} has shape [${t.shape}], the model expects [${shape}]`)
    stored[name] = asTensor(name, t)
  }
  const params = fromStoredNames(model, stored)
  // Maps keyed by names from the file have no prototype: `optimizer.__proto__.x` is just a name.
  const optimizer = nullMap<Record<string, Tensor>>()
  const carried = nullMap<Tensor>()
  for (const [name, t] of Object.entries(tensors)) {
    if (Object.hasOwn(shapes, name)) continue
    const slot = /^optimizer\.([^.]+)\.(.+)$/.exec(name)
    const state = name.startsWith('carried.') ? name.slice(8) : undefined
    if (slot) {
      const [, s, p] = slot as unknown as [string, string, string]
      if (!Object.hasOwn(params, p))
        throw new CheckpointError(`tensor ${quoted(name)} belongs to no parameter of the model`)
      const expected = params[p]!
      if (t.shape.join() !== expected.dims.join())
        throw new CheckpointError(
          `tensor ${quoted(name)} has shape [${t.shape}], the parameter has [${expected.dims}]`,
        )
      ;(optimizer[s] ??= nullMap())[p] = asTensor(name, t)
    } else if (state !== undefined) carried[state] = asTensor(name, t)
    else throw new CheckpointError(`unexpected tensor ${quoted(name)}`)
  }
  const dtype = Object.values(tensors)[0]?.dtype === 'F64' ? 'F64' : 'F32'
  return { model, vocabulary, params, optimizer, carried, training, dtype }
}

/** The stored name and shape of every parameter of a model. */
function expectedShapes(model: ModelConfig): Record<string, readonly number[]> {
  // Stored shapes follow from the graph's shapes through the same renaming used when saving.
  const zeros = Object.fromEntries(modelParams(modelGraph(model)).map((p) => [p.name, tensor(p.shape)]))
  return Object.fromEntries(Object.entries(toStoredNames(model, zeros)).map(([n, t]) => [n, t.dims]))
}
