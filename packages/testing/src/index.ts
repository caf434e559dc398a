export type { ConformanceBackend, ConformanceExecutable, ConformanceTensor } from './conformance/backend.js'
export {
  backwardCase,
  builtinCellDefinitions,
  builtinModelCases,
  forwardCase,
  type GraphCase,
  gradientGraph,
  gradientLeaves,
  type ModelCase,
} from './conformance/cases.js'
export { graphMismatch } from './conformance/check.js'
export { type ConformanceOptions, describeConformance } from './conformance/describe.js'
export {
  CONFORMANCE_TOLERANCE,
  EXACT,
  type Tolerance,
  tensorErrors,
  tensorMismatch,
} from './conformance/tolerance.js'
export { type LossHead, type Model, type ModelOptions, reversed, sequenceModel, withLoss } from './model.js'
export { buildCell, STATE_NAMES } from './random/buildCell.js'
export {
  type CaseShape,
  type CellCase,
  type CellCaseOptions,
  cellCaseArb,
  makeCellCase,
} from './random/cellCase.js'
export { type OpCoverage, opCoverage, opsIn } from './random/coverage.js'
export * from './random/range.js'
export * from './random/recipe.js'
export * from './random/values.js'
export { propertyParameters } from './runs.js'
