import type { Graph } from '@cellgraph/graph'
import { recurrentGraph } from '../recurrent/graph.js'
import { languageModelSpec, type ModelConfig } from './config.js'

export interface ModelGraphOptions {
  /** Add the loss: inputs `targets` [T,B,1] (class ids) and `mask` [T,B,1]; output `loss`. */
  readonly loss?: boolean
  /** Add dropout between layers: inputs `dropout<l>` [T,B,H], a 0 / 1/(1−p) mask per layer boundary. */
  readonly dropout?: boolean
}

/**
 * The character model as one graph: `recurrentGraph` for its next-token spec, over stream windows
 * (no padding). Inputs: `x` [T,B,V] (one-hot rows), per layer the initial states `l<k>.<state>0`
 * [B,H], then parameters: `embed.W` (with an embedding), `l<k>.<param>` per layer, `head.W`
 * [V,H], `head.b` [V]. Outputs: `logits` [T,B,V] (the head applied to the whole output sequence at
 * once, outside the time loop), every layer's final states `l<k>.<state>`, and with `loss` the
 * masked mean cross-entropy `loss` (nats per target).
 */
export function modelGraph(model: ModelConfig, options: ModelGraphOptions = {}): Graph {
  return recurrentGraph(languageModelSpec(model), { ...options, stream: true })
}

/** The parameter leaves of a model graph in binding order, with their shapes. */
export function modelParams(graph: Graph): { name: string; shape: readonly number[] }[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  return graph.inputs
    .map((id) => byId.get(id)!)
    .filter((n) => n.op === 'param')
    .map((n) => n.attrs as { name: string; shape: number[] })
}
