import { type Graph, type Node, type OpName, type Ref, type ValueType, verify } from '@cellgraph/graph'

/** Run-time row counts: a `batch` value has `batch` rows, a `seq` value `steps · batch`. */
export interface RowCounts {
  readonly batch: number
  readonly steps: number
}

interface FlopContext {
  readonly typeOf: (r: Ref) => ValueType
  /** Rows of a value: B for batch values, T·B for sequences, the leading dims for a tensor [.., K]. */
  readonly rowsOf: (r: Ref) => number
  readonly rows: RowCounts
}

type FlopRule<K extends OpName> = (node: Node<K>, ctx: FlopContext) => number

const lastDim = (t: ValueType): number => (t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1]!)
const none = () => 0

/**
 * Floating-point operations of each op, counting matrix products only (2·M·N·K each), as
 * benchmarks conventionally do; pointwise work, reductions and copies count zero.
 */
const flopRules: { [K in OpName]: FlopRule<K> } = {
  input: none,
  state: none,
  param: none,
  constant: none,
  neg: none,
  oneMinus: none,
  sigmoid: none,
  tanh: none,
  relu: none,
  exp: none,
  log: none,
  sqrt: none,
  rsqrt: none,
  add: none,
  sub: none,
  mul: none,
  div: none,
  max: none,
  min: none,
  greater: none,
  isfinite: none,
  clamp: none,
  where: none,
  // activation(x·Wᵀ + b): M = rows of x, K = in, N = out
  layer: (n, { typeOf, rowsOf }) => {
    const [out, inSize] = typeOf(n.inputs[1]!).shape
    return 2 * rowsOf(n.inputs[0]!) * out! * inSize!
  },
  matmul: (n, { typeOf, rowsOf }) => {
    const [r0, r1] = typeOf(n.inputs[1]!).shape
    return 2 * rowsOf(n.inputs[0]!) * r0! * r1!
  },
  // Σ_rows aᵀ·b: M = features of a, N = features of b, K = rows
  outerSum: (n, { typeOf, rowsOf }) =>
    2 * rowsOf(n.inputs[0]!) * lastDim(typeOf(n.inputs[0]!)) * lastDim(typeOf(n.inputs[1]!)),
  sumRows: none,
  rowCount: none,
  sumAll: none,
  broadcastLike: none,
  sumLike: none,
  concat: none,
  slice: none,
  pad: none,
  reduceSum: none,
  reduceMean: none,
  reduceMax: none,
  softmax: none,
  crossEntropy: none,
  crossEntropyGrad: none,
  // the body runs once per timestep on batch rows
  scan: (n, { rows }) => rows.steps * countFlops(n.attrs.body, rows),
}

/**
 * Floating-point operations of one run of `graph` (forward or backward, any cell), counting
 * 2·M·N·K for every matrix product (`layer`, `matmul`, `outerSum`, inside scans too) with the
 * given batch size and sequence length.
 */
export function countFlops(graph: Graph, rows: RowCounts): number {
  const types = verify(graph)
  const rowsOf = (r: Ref): number => {
    const t = types.of(r)
    if (t.layout === 'batch') return rows.batch
    if (t.layout === 'seq') return rows.steps * rows.batch
    return t.shape.slice(0, -1).reduce((n, d) => n * d, 1)
  }
  const ctx: FlopContext = { typeOf: (r) => types.of(r), rowsOf, rows }
  let total = 0
  for (const node of graph.nodes) total += (flopRules[node.op] as FlopRule<OpName>)(node, ctx)
  return total
}
