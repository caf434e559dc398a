export {
  type AddingResult,
  type AddingRun,
  addingBatch,
  addingGraph,
  addingParameterCount,
  hiddenForBudget,
  runAdding,
} from './adding.js'
