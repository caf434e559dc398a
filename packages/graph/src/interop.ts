import { InputError } from './errors.js'
import type { Tensor } from './tensor.js'
import { tensor } from './tensor.js'

/** A block of a cellgraph parameter: rows [r0, r1) and, for matrices, columns [c0, c1). */
export interface TorchBlock {
  readonly param: string
  readonly rows?: readonly [number, number]
  readonly cols?: readonly [number, number]
}

/** A PyTorch tensor assembled by stacking blocks of cellgraph parameters along its first axis. */
export interface TorchTensor {
  /** PyTorch's name without the layer suffix, e.g. `weight_ih` (a stack adds `_l0`). */
  readonly name: string
  readonly blocks: readonly TorchBlock[]
}

export type TorchLayout = readonly TorchTensor[]

const span = (range: readonly [number, number] | undefined, size: number): [number, number] =>
  range ? [range[0], range[1]] : [0, size]

function blockGeometry(block: TorchBlock, params: Readonly<Record<string, Tensor>>) {
  const p = params[block.param]
  if (!p) throw new InputError(`parameter '${block.param}' is missing`)
  const cols = p.dims.length === 2 ? p.dims[1]! : 1
  const [r0, r1] = span(block.rows, p.dims[0]!)
  const [c0, c1] = span(block.cols, cols)
  return { p, cols, r0, r1, c0, c1 }
}

/** PyTorch tensors (named with `suffix`, e.g. `_l0`) from cellgraph parameters. */
export function toTorch(
  layout: TorchLayout,
  params: Readonly<Record<string, Tensor>>,
  suffix = '',
): Record<string, Tensor> {
  const out: Record<string, Tensor> = {}
  for (const t of layout) {
    const parts = t.blocks.map((b) => blockGeometry(b, params))
    const width = parts[0]!.c1 - parts[0]!.c0
    const rows = parts.reduce((n, g) => n + g.r1 - g.r0, 0)
    const isMatrix = parts[0]!.p.dims.length === 2
    const result = tensor(isMatrix ? [rows, width] : [rows])
    let row = 0
    for (const g of parts)
      for (let r = g.r0; r < g.r1; r++, row++)
        result.data.set(g.p.data.subarray(r * g.cols + g.c0, r * g.cols + g.c1), row * width)
    out[t.name + suffix] = result
  }
  return out
}

/**
 * Cellgraph parameters from PyTorch tensors. `shapes` gives every parameter's shape; every element
 * must be covered by the layout. Names, shapes and coverage are checked with errors that name them.
 */
export function fromTorch(
  layout: TorchLayout,
  torch: Readonly<Record<string, Tensor>>,
  shapes: Readonly<Record<string, readonly number[]>>,
  suffix = '',
): Record<string, Tensor> {
  const params: Record<string, Tensor> = Object.fromEntries(
    Object.entries(shapes).map(([n, s]) => [n, tensor(s)]),
  )
  const covered = Object.fromEntries(
    Object.entries(params).map(([n, t]) => [n, new Uint8Array(t.data.length)]),
  )
  for (const t of layout) {
    const source = torch[t.name + suffix]
    if (!source) throw new InputError(`PyTorch tensor '${t.name + suffix}' is missing`)
    const expected = toTorch([t], params)[t.name]!.dims
    if (source.dims.join() !== expected.join())
      throw new InputError(
        `PyTorch tensor '${t.name + suffix}' has shape [${source.dims}], expected [${expected}]`,
      )
    let row = 0
    const width = expected[1] ?? 1
    for (const b of t.blocks) {
      const g = blockGeometry(b, params)
      for (let r = g.r0; r < g.r1; r++, row++) {
        g.p.data.set(source.data.subarray(row * width, row * width + (g.c1 - g.c0)), r * g.cols + g.c0)
        covered[b.param]!.fill(1, r * g.cols + g.c0, r * g.cols + g.c1)
      }
    }
  }
  for (const [name, mask] of Object.entries(covered))
    if (mask.includes(0))
      throw new InputError(`parameter '${name}' is not fully covered by the PyTorch layout`)
  return params
}
