import { type Tensor, tensor } from '@cellgraph/graph'
import { initParams, type ModelConfig, modelGraph, modelParams, Rng } from '../src/index.js'

/** Seeded parameters of a model as host tensors. */
export function seededParams(model: ModelConfig, seed = 1): Record<string, Tensor> {
  const specs = modelParams(modelGraph(model))
  const values = initParams(model, specs, new Rng(seed))
  return Object.fromEntries(specs.map((p) => [p.name, tensor(p.shape, values[p.name])]))
}
