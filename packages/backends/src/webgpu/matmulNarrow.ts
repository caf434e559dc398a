import { type KernelCall, kernelHeader, ParamList } from './kernel.js'
import { type MatmulSpec, operandIndex, productBases, productGrid, storeOutput } from './matmulSpec.js'

const threads = 256
/** Rows of C per workgroup: each thread keeps one running sum per row. */
const maxRows = 8

/**
 * How a workgroup's threads split a block of C columns and the K axis. Adjacent threads must
 * read adjacent addresses of B: along K when B is stored [N,K] (weights), along N when [K,N].
 */
interface Split {
  /** C columns per workgroup. */
  readonly cols: number
  /** K slices per column, summed at the end. */
  readonly slices: number
  /** Adjacent threads take adjacent slices of one column (true) or adjacent columns (false). */
  readonly slicesAdjacent: boolean
}
const kAlongThreads: Split = { cols: 8, slices: 32, slicesAdjacent: true }
const nAlongThreads: Split = { cols: 64, slices: 4, slicesAdjacent: false }

/**
 * Products with few rows: the recurrent product of a batch inside a time loop (M = batch,
 * N = 4·hidden, K = hidden) and its backward δ·W. A tile of C would sit mostly empty and a few
 * workgroups would leave a large GPU idle, so each workgroup takes a narrow block of columns
 * (8 or 64) and up to 8 rows, and its 256 threads split K between them: one dispatch, many
 * workgroups, and the K slices summed in workgroup memory (or with `subgroupAdd`).
 */
export function narrowKernel(spec: MatmulSpec, subgroups: boolean): KernelCall {
  const split = spec.transposeB ? kAlongThreads : nAlongThreads
  const rows = Math.min(spec.m, maxRows)
  const p = new ParamList()
  const { A, B, C, declare } = productBases(spec, p)
  const biases = spec.biases.map((o) => p.add(o))
  const { aAt, bAt } = operandIndex(spec, A, B)

  // acc[r] += A[m0+r, k] · B[k, n] for this thread's k = first, first + step, ...
  const accumulate = (n: string, first: string, step: string) => `
    for (var k = ${first}; k < ${spec.k}u; k += ${step}) {
      let b = arena[${bAt('k', n)}];
      for (var r = 0u; r < ${rows}u; r++) {
        if (m0 + r < ${spec.m}u) { acc[r] += arena[${aAt('m0 + r', 'k')}] * b; }
      }
    }`
  const wgsl = subgroups && split.slicesAdjacent ? subgroupBody() : workgroupBody()
  return {
    kind: 'product',
    wgsl,
    workgroups: productGrid(spec, Math.ceil(spec.n / split.cols), Math.ceil(spec.m / rows)),
    params: p.words,
  }

  function workgroupBody(): string {
    const { cols, slices, slicesAdjacent } = split
    const stride = slices + 1 // odd: neither the writes nor the sums below conflict on banks
    const [slice, col] = slicesAdjacent
      ? [`lidx % ${slices}u`, `lidx / ${slices}u`]
      : [`lidx / ${cols}u`, `lidx % ${cols}u`]
    return `${kernelHeader}
var<workgroup> partial: array<f32, ${rows * cols * stride}>;
@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
${declare}  let m0 = wg.y * ${rows}u;
  let slice = ${slice};
  let col = ${col};
  let n = wg.x * ${cols}u + col;
  var acc: array<f32, ${rows}>;
  if (n < ${spec.n}u) {${accumulate('n', 'slice', `${slices}u`)}
  }
  for (var r = 0u; r < ${rows}u; r++) { partial[(r * ${cols}u + col) * ${stride}u + slice] = acc[r]; }
  workgroupBarrier();
  for (var j = lidx; j < ${rows * cols}u; j += ${threads}u) {
    let m = m0 + j / ${cols}u;
    let nj = wg.x * ${cols}u + j % ${cols}u;
    if (m < ${spec.m}u && nj < ${spec.n}u) {
      var v = 0.0;
      for (var s = 0u; s < ${slices}u; s++) { v += partial[j * ${stride}u + s]; }
      ${storeOutput(spec, C, biases, 'm', 'nj', 'v')}
    }
  }
}`
  }

  /**
   * With subgroups: each subgroup takes whole columns and sums K across its lanes with
   * `subgroupAdd`, with no workgroup-memory reduction and no barrier. Which invocations form a
   * subgroup, and how many there are, is left to the driver, so roles come from the subgroup
   * itself: a lane's rank among the active lanes (exclusive prefix count) is its K slice, and
   * columns are handed out by a workgroup counter taken once per column by one elected lane.
   */
  function subgroupBody(): string {
    const { cols } = split
    return `enable subgroups;
diagnostic(off, subgroup_uniformity);
${kernelHeader}
var<workgroup> nextColumn: atomic<u32>;
@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wg: vec3<u32>) {
${declare}  let m0 = wg.y * ${rows}u;
  let lanes = subgroupAdd(1u);
  let lane = subgroupExclusiveAdd(1u);
  loop {
    var ticket = 0u;
    if (subgroupElect()) { ticket = atomicAdd(&nextColumn, 1u); }
    let col = subgroupBroadcastFirst(ticket);
    if (col >= ${cols}u) { break; }
    let n = wg.x * ${cols}u + col;
    if (n >= ${spec.n}u) { continue; }
    // Zeroed explicitly: WGSL zeroes a bare declaration on every iteration, SwiftShader did not.
    var acc = array<f32, ${rows}>();${accumulate('n', 'lane', 'lanes')}
    for (var r = 0u; r < ${rows}u; r++) {
      let v = subgroupAdd(acc[r]);
      let m = m0 + r;
      if (lane == 0u && m < ${spec.m}u) ${storeOutput(spec, C, biases, 'm', 'n', 'v')}
    }
  }
}`
  }
}
