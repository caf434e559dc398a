export { DataError, type HostBatch, makeBatch, type Sequence } from './batch.js'
export { loadModel, ModelFileError, type SaveOptions, saveModel } from './file.js'
export { type EpochInfo, FitError, type FitHistory, type FitOptions, type StepInfo } from './fit.js'
export { headOutput, type RecurrentGraphOptions, recurrentGraph } from './graph.js'
export { type Metrics, RecurrentModel, recurrentModel } from './model.js'
export {
  type HeadAt,
  type ModelLayers,
  ModelOptionsError,
  type ModelSpec,
  type RecurrentModelOptions,
  resolveSpec,
  type Task,
} from './options.js'
export { StateDictError } from './stateDict.js'
