export { Rng } from '@cellgraph/graph'
export * from './browser/index.js'
export {
  type Checkpoint,
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
} from './checkpoint.js'
export * from './data/index.js'
export * from './experiment/index.js'
export { fromBFloat16Bits, fromHalfBits, toBFloat16Bits, toHalfBits } from './halfFloat.js'
export * from './model/index.js'
export * from './optim/index.js'
export * from './recurrent/index.js'
export * from './run/index.js'
export {
  type Dtype,
  decodeSafetensors,
  encodeSafetensors,
  type Safetensors,
  SafetensorsError,
  type StoredTensor,
} from './safetensors.js'
