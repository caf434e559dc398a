export {
  type OptimizerConfig,
  type OptimizerKind,
  optimizerKinds,
  optimizerSlots,
  withDefaults,
} from './config.js'
export { gradNormGraph, type ParamShape, updateGraph } from './graph.js'
export { Optimizer } from './optimizer.js'
export { checkSchedule, learningRate, type Schedule, scheduleKinds } from './schedule.js'
