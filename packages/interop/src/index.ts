export { InteropError } from './errors.js'
export { exportOnnx, type SequenceModel } from './onnx/exportOnnx.js'
export {
  loadTorchStateDict,
  type SaveOptions,
  saveTorchStateDict,
  type TorchCell,
  type TorchModel,
  type TorchModule,
  torchStack,
} from './torchStateDict.js'
