import type { Graph, OpName } from '@cellgraph/graph'

/**
 * Where the random cases exercise an op: inside the generated `cell`, in the generated sequence
 * `model` around it (scan, loss head), or only in the `backward` graph autodiff derives from it.
 */
export interface OpCoverage {
  readonly in: 'cell' | 'model' | 'backward'
  readonly how: string
}

/**
 * How the generator reaches every op of the IR. Exhaustive: an op added to the IR without an
 * entry here is a type error, and the coverage test fails until the generator produces it.
 */
export const opCoverage: { readonly [K in OpName]: OpCoverage } = {
  input: { in: 'cell', how: 'the per-step input x' },
  state: { in: 'cell', how: 'one, two or three state tensors' },
  param: { in: 'cell', how: 'layer and matmul weights; [F], [1] and scalar operands of binary ops' },
  constant: { in: 'cell', how: 'constant operands; the margins that keep log, sqrt, rsqrt, div in domain' },
  neg: { in: 'cell', how: 'unary step' },
  oneMinus: { in: 'cell', how: 'unary step; the blend state update g·s + (1−g)·v' },
  sigmoid: { in: 'cell', how: 'unary step; sigmoid(v) + margin as a positive operand' },
  tanh: { in: 'cell', how: 'unary step' },
  relu: { in: 'cell', how: 'unary step' },
  exp: { in: 'cell', how: 'unary step (argument clamped to ≤ 50); exp(v) + margin as a positive operand' },
  log: { in: 'cell', how: 'unary step on a positive operand' },
  sqrt: { in: 'cell', how: 'unary step on a positive operand' },
  rsqrt: { in: 'cell', how: 'unary step on a positive operand' },
  add: { in: 'cell', how: 'binary step; margins; the blend update' },
  sub: { in: 'cell', how: 'binary step' },
  mul: { in: 'cell', how: 'binary step; the blend update' },
  div: { in: 'cell', how: 'binary step with a positive divisor' },
  max: { in: 'cell', how: 'binary step' },
  min: { in: 'cell', how: 'binary step' },
  greater: { in: 'cell', how: 'select step: where(isfinite(v) · greater(v, threshold), a, b)' },
  isfinite: { in: 'cell', how: 'select step: where(isfinite(v) · greater(v, threshold), a, b)' },
  where: { in: 'cell', how: 'select step' },
  clamp: { in: 'cell', how: 'clamp step; keeping ranges bounded and operands positive' },
  layer: {
    in: 'cell',
    how: 'layer step (every activation, 0–2 biases, over one value or a concatenation); state updates',
  },
  matmul: { in: 'cell', how: 'matmul step, plain or transposed' },
  concat: { in: 'cell', how: 'concat step; layer inputs; state updates over [s, v]; the output' },
  slice: { in: 'cell', how: 'split step; matching a wider operand to a narrower one' },
  pad: { in: 'cell', how: 'pad step; matching a narrower operand to a wider one' },
  reduceSum: { in: 'cell', how: 'reduce step (a [B,1] value that broadcasts later)' },
  reduceMean: { in: 'cell', how: 'reduce step' },
  reduceMax: { in: 'cell', how: 'reduce step' },
  softmax: { in: 'cell', how: 'softmax step' },
  scan: { in: 'model', how: 'the sequence model: one scan per layer, forward or reverse' },
  sumAll: { in: 'model', how: 'every loss head: Σ sumAll(w ∘ output)' },
  crossEntropy: { in: 'model', how: 'mixed loss head: mean cross-entropy of the per-step output' },
  sumRows: { in: 'model', how: 'mixed loss head: the mean over rows' },
  rowCount: { in: 'model', how: 'mixed loss head: the mean over rows' },
  outerSum: { in: 'model', how: 'mixed loss head: Σ outerSum(y, u) ∘ v' },
  sumLike: { in: 'model', how: 'mixed loss head: per-unit sums of y' },
  broadcastLike: { in: 'model', how: 'mixed loss head: a per-unit vector spread over the rows of y' },
  crossEntropyGrad: { in: 'backward', how: "autodiff's rule for crossEntropy in the mixed loss head" },
}

/** Every op a graph uses, scan bodies included. */
export function opsIn(graph: Graph, found: Set<OpName> = new Set()): Set<OpName> {
  for (const n of graph.nodes) {
    found.add(n.op)
    if (n.op === 'scan') opsIn(n.attrs.body, found)
  }
  return found
}
