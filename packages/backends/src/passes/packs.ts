import { InputError, type Tensor, tensor } from '@cellgraph/graph'
import type { Pack } from './program.js'

/** Assembles a packed weight from its source tensors (by leaf name), in float64: for reference runs. */
export function packTensor(pack: Pack, sources: Readonly<Record<string, Tensor>>): Tensor {
  const width = pack.blocks[0]!.end - pack.blocks[0]!.start
  const rows = pack.blocks.reduce((s, b) => s + b.rows, 0)
  const out = tensor([rows, width])
  let at = 0
  for (const b of pack.blocks) {
    const src = sources[b.source]
    if (!src) throw new InputError(`pack ${pack.leaf}: source '${b.source}' is not bound`)
    for (let r = 0; r < b.rows; r++)
      out.data.set(src.data.subarray(r * b.sourceCols + b.start, r * b.sourceCols + b.end), (at + r) * width)
    at += b.rows
  }
  return out
}
