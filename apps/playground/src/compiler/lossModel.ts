import { mseLoss, withLoss } from '@cellgraph/autodiff'
import { type Cell, type Graph, Rng, sequenceGraph, signature, type Tensor, tensor } from '@cellgraph/graph'

/**
 * The cell as one layer over a sequence with a mean-squared-error loss against a target: the
 * smallest training graph that shows what the compiler does with the cell, forward and backward.
 */
export function lossModel(cell: Cell): Graph {
  return withLoss(sequenceGraph([cell]), ({ y }, b) =>
    mseLoss(y!, b.leaf('input', 'target', { name: 'target', type: y!.type })),
  )
}

export interface RandomInputOptions {
  readonly batch: number
  readonly steps: number
  readonly seed: number
  /** Values are drawn uniformly from ±scale. */
  readonly scale?: number
}

/** Uniform random values for every input of `graph`, at a batch size and sequence length. */
export function randomInputs(graph: Graph, options: RandomInputOptions): Record<string, Tensor> {
  const rng = new Rng(options.seed)
  const scale = options.scale ?? 0.5
  const types = signature(graph).inputs
  const inputs: Record<string, Tensor> = {}
  graph.inputs.forEach((id, k) => {
    const node = graph.nodes.find((n) => n.id === id)!
    const name = String((node.attrs as { name?: unknown }).name ?? id)
    const t = types[k]!
    const dims =
      t.layout === 'seq'
        ? [options.steps, options.batch, ...t.shape]
        : t.layout === 'batch'
          ? [options.batch, ...t.shape]
          : [...t.shape]
    const count = dims.reduce((a, b) => a * b, 1)
    inputs[name] = tensor(
      dims,
      Array.from({ length: count }, () => rng.uniform(-scale, scale)),
    )
  })
  return inputs
}
