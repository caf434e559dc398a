import type { KernelCall } from './kernel.js'
import { narrowKernel } from './matmulNarrow.js'
import type { MatmulSpec } from './matmulSpec.js'
import { type TiledShape, tiledKernel } from './matmulTiled.js'

export type { MatmulSpec } from './matmulSpec.js'

/**
 * How products become kernels. Every field is optional: the defaults are the chosen design, the
 * fields exist so a GPU measurement can sweep the alternatives (tools/bench reads them from
 * CELLGRAPH_WEBGPU_MATMUL) and tests can force every kernel onto small shapes.
 */
export interface MatmulTuning {
  /** 'auto' picks per shape; 'tiled' or 'narrow' forces one kernel for every product. */
  readonly variant?: 'auto' | 'tiled' | 'narrow'
  /** Under 'auto', products with at most this many rows (M) use the narrow kernel. Default 64. */
  readonly narrowRows?: number
  /** Tiled kernel: edge of the C tile per workgroup. Default: 64 where that fills the GPU, else 32. */
  readonly tile?: 32 | 64
  /** Tiled kernel with 32-tiles: K slices summed inside the workgroup. Default: by workgroup count and K. */
  readonly splitK?: 1 | 2 | 4
  /** Use `subgroupAdd` where the device has the `subgroups` feature. Default true. */
  readonly subgroups?: boolean
  /** Tiled kernel: load aligned operands 4 floats at a time (vec4). Default true. */
  readonly vec4?: boolean
  /**
   * In a scan step, the largest weight (elements, N·K) whose product joins the row group after it
   * (one workgroup per batch row, one dispatch fewer); larger products run as product kernels.
   * Default 2¹⁹; 0 keeps every product a kernel of its own.
   */
  readonly rowGroupWeights?: number
  /**
   * In a row group's product, the output columns each thread computes at once (independent
   * accumulators sharing each read of x). Default 4; 1 computes one column at a time.
   */
  readonly rowProductColumns?: number
  /**
   * In a scan step, compute the fused kernel that makes a product's x inside the product's
   * kernel (a backward step's δ inside δ·W: one kernel over the whole product). Default true;
   * false leaves them a row group (with `rowGroupWeights`) or two kernels.
   */
  readonly headProducts?: boolean
}

/** What the kernels may use: the tuning, and whether the device was created with `subgroups`. */
export interface MatmulOptions {
  readonly tuning: MatmulTuning
  readonly subgroups: boolean
}

export const defaultMatmulOptions: MatmulOptions = { tuning: {}, subgroups: false }

/**
 * Workgroups a product should offer to keep a large GPU busy: about two per streaming
 * multiprocessor of the biggest parts (132 on an H100/H200). Fewer, and the tiled kernel trades
 * tile size for count, then splits K inside the workgroup.
 */
const fillWorkgroups = 256

export function matmulKernel(spec: MatmulSpec, options: MatmulOptions = defaultMatmulOptions): KernelCall {
  for (const [field, v] of [
    ['m', spec.m],
    ['n', spec.n],
    ['k', spec.k],
  ] as const)
    if (!Number.isInteger(v) || v < 1)
      throw new Error(
        `matrix product: ${field} = ${v} is not a positive integer (${spec.m}×${spec.k}·${spec.k}×${spec.n})`,
      )
  const { tuning } = options
  const variant = tuning.variant ?? 'auto'
  const narrow = variant === 'narrow' || (variant === 'auto' && spec.m <= (tuning.narrowRows ?? 64))
  if (narrow) return narrowKernel(spec, options.subgroups && tuning.subgroups !== false)
  return tiledKernel(spec, tiledShape(spec, tuning), tuning.vec4 !== false)
}

/** The tile and in-workgroup K split for a product: big tiles where they fill the GPU. */
export function tiledShape(spec: MatmulSpec, tuning: MatmulTuning): TiledShape {
  const groups = (t: number) => Math.ceil(spec.m / t) * Math.ceil(spec.n / t)
  const tile = tuning.tile ?? (groups(64) >= fillWorkgroups ? 64 : 32)
  if (tile === 64) {
    if (tuning.splitK !== undefined && tuning.splitK !== 1)
      throw new Error(
        `matrix product tuning: splitK ${tuning.splitK} needs tile 32 (256 threads per workgroup)`,
      )
    return { tile, splitK: 1 }
  }
  // Split K only when the tiles alone leave the GPU idle and each slice still has work.
  const splitK =
    tuning.splitK ?? (groups(32) >= fillWorkgroups ? 1 : spec.k >= 4 * 64 ? 4 : spec.k >= 2 * 64 ? 2 : 1)
  return { tile, splitK }
}
