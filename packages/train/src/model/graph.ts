import {
  crossEntropy,
  div,
  type Graph,
  GraphBuilder,
  layer,
  mul,
  outputSize,
  stackLayers,
  sumAll,
  tracing,
  type Value,
} from '@cellgraph/graph'
import type { ModelConfig } from './config.js'

export interface ModelGraphOptions {
  /** Add the loss: inputs `targets` [T,B,1] (class ids) and `mask` [T,B,1]; output `loss`. */
  readonly loss?: boolean
  /** Add dropout between layers: inputs `dropout<l>` [T,B,H], a 0 / 1/(1−p) mask per layer boundary. */
  readonly dropout?: boolean
}

/**
 * The model as one graph. Inputs: `x` [T,B,V] (one-hot rows), per layer the initial states
 * `l<k>.<state>0` [B,H], then parameters: `embed.W` (with an embedding), `l<k>.<param>` per layer,
 * `head.W` [V,H], `head.b` [V]. Outputs: `logits` [T,B,V] (the head applied to the whole output
 * sequence at once, outside the time loop), every layer's final states `l<k>.<state>`, and with
 * `loss` the masked mean cross-entropy `loss` (nats per target).
 */
export function modelGraph(model: ModelConfig, options: ModelGraphOptions = {}): Graph {
  const b = new GraphBuilder()
  return tracing(b, () => {
    const seqInput = (name: string, size: number) =>
      b.leaf('input', name, { name, type: { layout: 'seq', shape: [size] } })
    let xs = seqInput('x', model.vocabularySize)
    const targets = options.loss ? seqInput('targets', 1) : undefined
    const mask = options.loss ? seqInput('mask', 1) : undefined
    if (model.embedding > 0) xs = layer('embed', xs, model.embedding, 'identity', { biases: 0 })
    // dropout between layers: a 0 / 1/(1−p) mask input per layer boundary
    const between = (ys: Value, l: number) => mul(ys, seqInput(`dropout${l}`, outputSize(model.cells[l]!)))
    const { y, finals } = stackLayers(
      b,
      xs,
      model.cells,
      options.dropout && model.dropout > 0 ? { between } : {},
    )
    const logits = layer('head', y, model.vocabularySize)
    const outputs = [{ name: 'logits', value: logits }, ...finals]
    if (targets && mask) {
      const loss = div(sumAll(mul(crossEntropy(logits, targets), mask)), sumAll(mask))
      outputs.unshift({ name: 'loss', value: loss })
    }
    return b.build(outputs)
  })
}

/** The parameter leaves of a model graph in binding order, with their shapes. */
export function modelParams(graph: Graph): { name: string; shape: readonly number[] }[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  return graph.inputs
    .map((id) => byId.get(id)!)
    .filter((n) => n.op === 'param')
    .map((n) => n.attrs as { name: string; shape: number[] })
}
