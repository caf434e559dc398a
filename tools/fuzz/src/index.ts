export { generalise, type Outcome, runCase } from './check.js'
export { type Mutation, mutateJson, mutation } from './mutate.js'
export { type FuzzReport, fuzzSurface } from './run.js'
export {
  cellJson,
  checkpointMetadata,
  cliArguments,
  graphJson,
  type Surface,
  safetensors,
  surfaces,
} from './surfaces.js'
