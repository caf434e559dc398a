import {
  type Cell,
  type Graph,
  type Node,
  type OpAttrs,
  type OpName,
  type SequenceOptions,
  sequenceGraph,
  signature,
  type ValueType,
  verify,
} from '@cellgraph/graph'
import type { InputRole } from './random/values.js'

/** A graph with a scalar loss output, and the roles of the leaves the loss head added. */
export interface Model {
  readonly graph: Graph
  /** The name of the scalar loss output. */
  readonly loss: string
  readonly roles: Readonly<Record<string, InputRole>>
}

/**
 * `linear`: the loss is Σ_k sumAll(w_k ∘ out_k) over every output, with coefficient inputs w_k:
 * a random linear functional of all outputs, so its gradient reaches every output element.
 * `mixed`: the linear functional plus terms that use the loss ops: the mean softmax
 * cross-entropy of a per-step output against class targets (crossEntropy, sumRows, rowCount,
 * div; its gradient uses crossEntropyGrad), Σ outerSum(y, u)∘v, and per-unit terms through
 * sumLike and broadcastLike. Every term but the cross-entropy is linear, so cotangents stay O(1).
 */
export type LossHead = 'linear' | 'mixed'

export interface ModelOptions extends SequenceOptions {
  readonly head?: LossHead
  /** Run every scan from t = T−1 down to 0. */
  readonly reverse?: boolean
}

/**
 * A sequence model over a stack of cells (`sequenceGraph`, with its layer options) with a scalar
 * loss. With `lengths`, the step mask gets the role `lengths` (a valid mask of random lengths).
 */
export function sequenceModel(cells: readonly Cell[], options: ModelOptions = {}): Model {
  const graph = sequenceGraph(cells, options)
  const model = withLoss(options.reverse ? reversed(graph) : graph, options.head ?? 'linear')
  return options.lengths ? { ...model, roles: { ...model.roles, mask: 'lengths' } } : model
}

/** The graph with every scan running backwards in time (a backward layer of a bidirectional model). */
export function reversed(graph: Graph): Graph {
  return {
    ...graph,
    nodes: graph.nodes.map((n) => (n.op === 'scan' ? { ...n, attrs: { ...n.attrs, reverse: true } } : n)),
  }
}

/** Appends a scalar loss over all outputs of `graph` (see LossHead); keeps the original outputs. */
export function withLoss(graph: Graph, head: LossHead = 'linear'): Model {
  const h = new HeadBuilder(graph)
  const outs = signature(graph).outputs
  const terms = graph.outputs.map((o, k) => {
    const w = h.leaf(`w.${o.name}`, outs[k]!, 'coefficient')
    return h.node('sumAll', [h.node('mul', [o.ref, w], {})], {})
  })
  if (head === 'mixed') {
    const k = outs.findIndex((t) => t.layout !== 'tensor')
    if (k >= 0) terms.push(...h.lossOpTerms(graph.outputs[k]!.ref, outs[k]!))
  }
  const loss = terms.slice(1).reduce((sum, t) => h.node('add', [sum, t], {}), terms[0]!)
  return h.build('loss', loss)
}

class HeadBuilder {
  private readonly nodes: Node[] = []
  private readonly inputs: string[] = []
  readonly roles: Record<string, InputRole> = {}
  private count = 0

  constructor(private readonly base: Graph) {}

  leaf(name: string, type: ValueType, role: InputRole): string {
    const id = `head.${name}`
    this.nodes.push({ id, op: 'input', inputs: [], attrs: { name, type } })
    this.inputs.push(id)
    this.roles[name] = role
    return id
  }

  node<K extends OpName>(op: K, inputs: readonly string[], attrs: OpAttrs[K]): string {
    const id = `head.${op}${++this.count}`
    this.nodes.push({ id, op, inputs, attrs } as Node)
    return id
  }

  /** The loss-op terms over a row output `y` of type `t`. */
  lossOpTerms(y: string, t: ValueType): string[] {
    const features = t.shape[0]!
    const rows = (n: number): ValueType => ({ layout: t.layout, shape: [n] })
    const target = this.leaf('target', rows(1), { classes: features })
    const ce = this.node('crossEntropy', [y, target], {})
    const meanCe = this.node('div', [this.node('sumRows', [ce], {}), this.node('rowCount', [ce], {})], {})
    const u = this.leaf('u', rows(2), 'coefficient')
    const v = this.leaf('v', { layout: 'tensor', shape: [features, 2] }, 'coefficient')
    const outer = this.node('mul', [this.node('outerSum', [y, u], {}), v], {})
    const unit = this.leaf('unit', { layout: 'tensor', shape: [features] }, 'coefficient')
    const perUnit = this.node('sumLike', [y, unit], {})
    const spread = this.node('mul', [this.node('broadcastLike', [unit, y], {}), y], {})
    return [meanCe, outer, this.node('mul', [perUnit, unit], {}), spread].map((x) =>
      this.node('sumAll', [x], {}),
    )
  }

  build(lossName: string, loss: string): Model {
    const graph: Graph = {
      inputs: [...this.base.inputs, ...this.inputs],
      nodes: [...this.base.nodes, ...this.nodes],
      outputs: [...this.base.outputs, { name: lossName, ref: loss }],
    }
    verify(graph)
    return { graph, loss: lossName, roles: this.roles }
  }
}
