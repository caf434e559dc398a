export { type BpttPlan, planBptt, type SequenceSource } from './bptt/plan.js'
export { type GradOptions, grad, gradLeaves, gradName } from './grad.js'
export { crossEntropyLoss, mseLoss } from './losses.js'
export {
  type GradcheckOptions,
  gradcheck,
  type LeafCheck,
  type NumericGradOptions,
  numericGrad,
} from './numeric.js'
export type { BpttMode, ForwardContext, InputCotangents, Lazy, Saves, VjpContext, VjpRule } from './rule.js'
export { vjpRules } from './rules/index.js'
export { type ValueAndGrad, valueAndGrad } from './valueAndGrad.js'
export {
  carriedStates,
  checkpointedValueAndGrad,
  checkpointedWindows,
  cotangentName,
  initialStates,
  runWindows,
  runWindowsSync,
  type StatePair,
  sliceSteps,
  truncatedValueAndGrad,
  truncatedWindow,
  truncatedWindows,
  type WindowedOptions,
  type WindowedResult,
  type WindowGraph,
  type WindowRun,
  type Windows,
  windowGrad,
} from './windows.js'
export { withLoss } from './withLoss.js'
