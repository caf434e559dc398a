export { writeFileAtomic } from './atomicWrite.js'
export * from './optim/index.js'
export { Rng } from './rng.js'
export {
  type Dtype,
  decodeSafetensors,
  encodeSafetensors,
  type Safetensors,
  SafetensorsError,
  type StoredTensor,
} from './safetensors.js'
