export {
  type OptimizerConfig,
  type OptimizerKind,
  optimizerKinds,
  optimizerSlots,
  withDefaults,
} from './config.js'
export { optimizerGraph, type ParamShape } from './graph.js'
export { Optimizer, type UpdateReport } from './optimizer.js'
export { checkSchedule, learningRate, type Schedule, scheduleKinds } from './schedule.js'
