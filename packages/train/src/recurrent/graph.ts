import { crossEntropyLoss, mseLoss } from '@cellgraph/autodiff'
import {
  crossEntropy,
  div,
  type Graph,
  GraphBuilder,
  layer,
  mul,
  outputSize,
  stackLayers,
  sub,
  sumAll,
  tracing,
  type Value,
  where,
} from '@cellgraph/graph'
import { directionCount, type ModelSpec } from './options.js'

export interface RecurrentGraphOptions {
  /** Add `targets` and the scalar output `loss`. */
  readonly loss?: boolean
  /** Add the inputs `dropout<l>` [T,B,H]: a 0 or 1/(1−p) mask per layer boundary. */
  readonly dropout?: boolean
  /**
   * Every sequence runs the whole window, as windows cut from one token stream do (truncated
   * BPTT): the scans read no mask, and `mask` is an input only with `loss`, where it weights the
   * targets. Without it, sequences are padded and the scans keep each one's state past its end.
   */
  readonly stream?: boolean
}

/** The head's output: `logits` for classes and next tokens, `y` for regression. */
export const headOutput = (spec: Pick<ModelSpec, 'task'>): 'logits' | 'y' =>
  spec.task === 'regression' ? 'y' : 'logits'

/**
 * The model as one graph — every recurrent model, the character model of `modelGraph` and the
 * `Trainer` included: inputs `x` [T,B,I] (features, or one-hot token rows), `mask` [T,B,1] (1 up
 * to each sequence's length: scans keep their state past it), with a last-step head `last`
 * [T,B,1] (1 at each sequence's last step) and `select0` [B,H] (zeros), per layer
 * `l<k>.<state>0`, then parameters `embed.W`, `l<k>.<param>`, `head.W`, `head.b` (PyTorch's
 * names and initialisation map onto these). Outputs the head's `logits` or `y` (`headOutput`;
 * [T,B,O] or [B,O]), every layer's final states `l<k>.<state>`, and with `loss` the masked mean
 * loss.
 */
export function recurrentGraph(spec: ModelSpec, options: RecurrentGraphOptions = {}): Graph {
  if (options.stream && spec.at !== 'each')
    throw new Error("recurrentGraph: stream windows have no last step of their own; they need at: 'each'")
  const b = new GraphBuilder()
  return tracing(b, () => {
    const seqInput = (name: string, size: number) =>
      b.leaf('input', name, { name, type: { layout: 'seq', shape: [size] } })
    const batchInput = (name: string, size: number) =>
      b.leaf('input', name, { name, type: { layout: 'batch', shape: [size] } })
    let xs = seqInput('x', spec.inputWidth)
    const mask = options.stream && !options.loss ? undefined : seqInput('mask', 1)
    if (spec.embedding > 0) xs = layer('embed', xs, spec.embedding, 'identity', { biases: 0 })
    // dropout between layers: a 0 / 1/(1−p) mask input per layer boundary
    const D = directionCount(spec)
    const between = (ys: Value, l: number) => mul(ys, seqInput(`dropout${l}`, D * outputSize(spec.cells[l]!)))
    const { y: ys, finals } = stackLayers(b, xs, spec.cells, {
      ...(options.stream ? {} : { mask }),
      direction: spec.direction ?? 'forward',
      ...(options.dropout && spec.dropout > 0 ? { between } : {}),
    })
    const width = outputSize(spec.cells.at(-1)!)
    const features =
      spec.at === 'each'
        ? ys
        : summary(b, spec, ys, mask!, seqInput('last', 1), batchInput('select0', D * width), width)
    const y = layer('head', features, spec.outputs)
    const outputs = [{ name: headOutput(spec), value: y }, ...finals]
    if (options.loss && mask) {
      const rows = spec.at === 'each' ? 'seq' : 'batch'
      const targetWidth = spec.task === 'regression' ? spec.outputs : 1
      const targets = b.leaf('input', 'targets', {
        name: 'targets',
        type: { layout: rows, shape: [targetWidth] },
      })
      outputs.unshift({ name: 'loss', value: lossOf(spec, y, targets, mask) })
    }
    return b.build(outputs)
  })
}

function lossOf(spec: ModelSpec, y: Value, targets: Value, mask: Value): Value {
  const regression = spec.task === 'regression'
  if (spec.at === 'last') return regression ? mseLoss(y, targets) : crossEntropyLoss(y, targets)
  // Per step: padding past a sequence's length carries no weight.
  if (!regression) return div(sumAll(mul(crossEntropy(y, targets), mask)), sumAll(mask))
  const d = sub(y, targets)
  return div(sumAll(mul(mul(d, d), mask)), mul(sumAll(mask), spec.outputs))
}

/**
 * What a 'last' head reads, per sequence: the forward direction's output at the last step and the
 * reverse direction's at the first (each has then read the whole sequence), side by side for a
 * bidirectional model. `width` is one direction's output size.
 */
function summary(
  b: GraphBuilder,
  spec: ModelSpec,
  ys: Value,
  mask: Value,
  last: Value,
  select0: Value,
  width: number,
): Value {
  if (spec.direction === 'reverse') return lastStep(b, ys, mask, select0, width, true)
  if (spec.direction !== 'bidirectional') return lastStep(b, ys, last, select0, width)
  const half = (v: Value, k: number) => b.apply('slice', [v], { start: k * width, end: (k + 1) * width })[0]!
  const forward = lastStep(b, half(ys, 0), last, half(select0, 0), width)
  const backward = lastStep(b, half(ys, 1), mask, half(select0, 1), width, true)
  return b.apply('concat', [forward, backward], {})[0]!
}

/**
 * Each sequence's output at its last step, [B,H]: a scan that keeps the step's output where
 * `last` is 1 (a `where`, so no gradient reaches the other steps). Run `reverse` with the step
 * mask as `last`, it keeps the output at the first step.
 */
function lastStep(
  b: GraphBuilder,
  ys: Value,
  last: Value,
  select0: Value,
  width: number,
  reverse = false,
): Value {
  const body = new GraphBuilder()
  const kept = body.leaf('state', 'kept', { name: 'kept', type: { layout: 'batch', shape: [width] } })
  const y = body.leaf('input', 'y', { name: 'y', type: { layout: 'batch', shape: [width] } })
  const here = body.leaf('input', 'here', { name: 'here', type: { layout: 'batch', shape: [1] } })
  const next = tracing(body, () => where(here, y, kept))
  const graph = body.build([{ name: 'kept', value: next }])
  return b.apply(
    'scan',
    [select0, ys, last],
    { body: graph, carries: 1, sequences: 2, reverse },
    reverse ? 'firstStep' : 'lastStep',
  )[0]!
}
