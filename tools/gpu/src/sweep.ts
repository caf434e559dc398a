/**
 * The WebGPU product-kernel settings the GPU run sweeps, in one place: each is a value of
 * CELLGRAPH_WEBGPU_MATMUL, which the bench's WebGPU engine reads (fields `variant`, `tile`,
 * `splitK`, `subgroups`, `narrowRows`; see the backends README). The first, empty, is the
 * backend's default choice. Each runs the medium LSTM and layer_norm_lstm, train and infer.
 */
export const productSweep: readonly { readonly name: string; readonly setting: string }[] = [
  { name: 'default', setting: '' },
  { name: 'tiled-64', setting: 'variant=tiled,tile=64' },
  { name: 'tiled-32-splitK-4', setting: 'variant=tiled,tile=32,splitK=4' },
  { name: 'narrow', setting: 'variant=narrow' },
  { name: 'no-subgroups', setting: 'subgroups=0' },
]
