export { InteropError } from './errors.js'
export { exportOnnx, type SequenceModel } from './onnx/exportOnnx.js'
export { exportOnnxScan } from './onnx/exportOnnxScan.js'
export { importOnnx, type OnnxModel, type OnnxOutput } from './onnx/importOnnx.js'
export { onnxGru } from './onnx/onnxGru.js'
export { rnnRelu } from './rnnRelu.js'
export {
  loadTorchStateDict,
  type SaveOptions,
  saveTorchStateDict,
  type TorchCell,
  type TorchModel,
  type TorchModule,
  torchStack,
} from './torchStateDict.js'
