import { documentLimits } from '@cellgraph/graph'
import { modelParams } from '../model/graph.js'
import { recurrentGraph } from './graph.js'
import type { ModelSpec } from './options.js'

/** Every parameter of the model with its number of values, read from the graph: nothing is allocated. */
export function parameterSizes(spec: ModelSpec): { name: string; values: number }[] {
  return modelParams(recurrentGraph(spec)).map((p) => ({
    name: p.name,
    values: p.shape.reduce((n, d) => n * d, 1),
  }))
}

/**
 * The first parameter with more values than one value may hold (`documentLimits.valueElements`,
 * as for cell and graph documents), or nothing: such a model could neither be allocated nor saved.
 */
export const oversizedParameter = (spec: ModelSpec) =>
  parameterSizes(spec).find((p) => p.values > documentLimits.valueElements)
