import { numericGrad, valueAndGrad } from '@cellgraph/autodiff'
import { type Rng as Generator, type Graph, type Tensor, tensor } from '@cellgraph/graph'
import { expect } from 'vitest'
import {
  initParams,
  type ModelConfig,
  type ModelSpec,
  makeBatch,
  modelGraph,
  modelParams,
  Rng,
  type Sequence,
} from '../src/index.js'

/** Seeded parameters of a model as host tensors. */
export function seededParams(model: ModelConfig, seed = 1): Record<string, Tensor> {
  const specs = modelParams(modelGraph(model))
  const values = initParams(model, specs, new Rng(seed))
  return Object.fromEntries(specs.map((p) => [p.name, tensor(p.shape, values[p.name])]))
}

/**
 * Every leaf of a recurrent model graph (`recurrentGraph` with `loss`) for a batch of `data`: the
 * batch's inputs, mask and targets; zero initial states and `select0`; dropout masks (p = 0.3)
 * and parameters in U(±0.5) drawn from `rng`, unless `params` gives them.
 */
export function batchInputs(
  graph: Graph,
  spec: ModelSpec,
  data: Sequence[],
  rng: Generator,
  params?: Readonly<Record<string, Tensor>>,
): Record<string, Tensor> {
  const b = makeBatch(spec, data, true)
  const width = spec.task === 'regression' ? spec.outputs : 1
  const fixed: Record<string, Tensor> = {
    x: tensor([b.steps, b.batch, spec.inputWidth], b.x),
    mask: tensor([b.steps, b.batch, 1], b.mask),
    last: tensor([b.steps, b.batch, 1], b.last),
    targets: tensor(spec.at === 'each' ? [b.steps, b.batch, width] : [b.batch, width], b.targets!),
  }
  const drawn = (dims: number[], draw: () => number) =>
    tensor(dims, Float64Array.from({ length: dims.reduce((n, d) => n * d, 1) }, draw))
  const inputs: Record<string, Tensor> = {}
  for (const id of graph.inputs) {
    const n = graph.nodes.find((m) => m.id === id)!
    const a = n.attrs as { name: string; shape?: number[]; type?: { layout: string; shape: number[] } }
    const given = fixed[a.name]
    if (given) inputs[a.name] = given
    else if (n.op === 'param')
      inputs[a.name] = params?.[a.name] ?? drawn(a.shape!, () => rng.uniform(-0.5, 0.5))
    else if (a.type!.layout === 'seq')
      inputs[a.name] = drawn([b.steps, b.batch, a.type!.shape[0]!], () => (rng.next() < 0.3 ? 0 : 1 / 0.7))
    else inputs[a.name] = tensor([b.batch, a.type!.shape[0]!]) // initial states and select0: zeros
  }
  return inputs
}

/** Expects the gradient of `loss` for every leaf to match float64 finite differences to 6 places. */
export function expectFiniteDifferenceGrads(graph: Graph, inputs: Record<string, Tensor>): void {
  const analytic = valueAndGrad(graph, inputs, { loss: 'loss' }).grads
  const numeric = numericGrad(graph, inputs, { loss: 'loss' })
  for (const [leaf, n] of Object.entries(numeric))
    n.data.forEach((v, i) => expect(analytic[leaf]!.data[i], `${leaf}[${i}]`).toBeCloseTo(v, 6))
}

/**
 * The loss of `data` as one padded batch, and the mean of each sequence's loss alone weighted by
 * its targets (steps with a per-step head), with the same parameters: padding must not count.
 */
export function paddedAndAlone(
  graph: Graph,
  spec: ModelSpec,
  data: Sequence[],
  rng: Generator,
): { together: number; alone: number } {
  const names = new Set(modelParams(graph).map((p) => p.name))
  const params = Object.fromEntries(
    Object.entries(batchInputs(graph, spec, data, rng)).filter(([n]) => names.has(n)),
  )
  const lossOf = (d: Sequence[]) =>
    valueAndGrad(graph, batchInputs(graph, spec, d, rng, params), { loss: 'loss' }).value
  const weights = data.map((s) => (spec.at === 'each' ? (s.x as number[][]).length : 1))
  const alone =
    data.reduce((sum, s, k) => sum + lossOf([s]) * weights[k]!, 0) / weights.reduce((a, b) => a + b)
  return { together: lossOf(data), alone }
}

/** `steps` rows of `width` features in U(±1). */
export const features = (rng: Generator, steps: number, width: number): number[][] =>
  Array.from({ length: steps }, () => Array.from({ length: width }, () => rng.uniform(-1, 1)))

/** Three sequences of 2 features, lengths 4, 2 and 3, with classes 1, 0, 2. */
export const variableLengths = (rng: Generator): Sequence[] => [
  { x: features(rng, 4, 2), y: 1 },
  { x: features(rng, 2, 2), y: 0 },
  { x: features(rng, 3, 2), y: 2 },
]
