/**
 * The WebGPU product-kernel settings the GPU run sweeps, in one place: each is a value of
 * CELLGRAPH_WEBGPU_MATMUL, which the bench's WebGPU engine reads (fields `variant`, `tile`,
 * `splitK`, `subgroups`, `narrowRows`, `vec4`, `rowGroupWeights`, `rowProductColumns`,
 * `headProducts`; see the
 * backends README). The
 * first, empty, is the backend's default choice. Each runs the medium LSTM and layer_norm_lstm,
 * train and infer. The settings reach the products the planner leaves as products (input
 * projections, weight gradients, the recurrent products not fused with their tail), not the
 * product-with-tail kernel; `headProducts=0` runs a backward step's δ and δ·W as a row group (one
 * workgroup per batch row) instead of one kernel over the whole product; `rowGroupWeights=0` keeps
 * the recurrent products out of row groups (layer_norm_lstm's step becomes two kernels);
 * `rowProductColumns=1` has each thread of a row group's product compute one column at a time
 * (default 4 at once).
 */
export const productSweep: readonly { readonly name: string; readonly setting: string }[] = [
  { name: 'default', setting: '' },
  // First the scan-step settings: a row group has one workgroup of 64 threads per batch row, each
  // reading all of W, and whether a head product or a product kernel and a dispatch beat it is the open question
  // (the bench README); the product kernels' settings after them.
  { name: 'no-head-products', setting: 'headProducts=0' },
  { name: 'no-row-group-products', setting: 'rowGroupWeights=0' },
  { name: 'row-product-1-column', setting: 'rowProductColumns=1' },
  { name: 'tile-32', setting: 'tile=32' },
  { name: 'tile-32-splitK-1', setting: 'tile=32,splitK=1' },
  { name: 'tile-32-splitK-4', setting: 'tile=32,splitK=4' },
  { name: 'tile-64', setting: 'tile=64' },
  { name: 'no-narrow', setting: 'narrowRows=0' },
  { name: 'no-subgroups', setting: 'subgroups=0' },
  { name: 'no-vec4', setting: 'vec4=0' },
]
