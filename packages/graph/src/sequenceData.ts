import { InputError } from './errors.js'
import { type Tensor, tensor } from './tensor.js'

/**
 * The step mask of a length-masked sequence model (`sequenceGraph(cells, { lengths: true })`):
 * [T,B,1], 1 where t < lengths[b], else 0. Lengths are integers in [0, T].
 */
export function lengthMask(lengths: readonly number[], steps: number): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new InputError(`steps must be a whole number, got ${steps}`)
  lengths.forEach((n, b) => {
    if (!Number.isInteger(n) || n < 0 || n > steps)
      throw new InputError(`lengths[${b}] is ${n}; a length must be a whole number in [0, ${steps}]`)
  })
  const batch = lengths.length
  const mask = tensor([steps, batch, 1])
  lengths.forEach((n, b) => {
    for (let t = 0; t < n; t++) mask.data[t * batch + b] = 1
  })
  return mask
}

/**
 * [A,B,...] → [B,A,...]: batch-first data ([B,T,F], PyTorch's `batch_first`) to cellgraph's
 * time-major layout and back.
 */
export function swapLeadingAxes(t: Tensor): Tensor {
  const [a, b, ...rest] = t.dims
  if (a === undefined || b === undefined)
    throw new InputError(`swapLeadingAxes needs at least 2 dims, got [${t.dims.join(',')}]`)
  const inner = rest.reduce((n, d) => n * d, 1)
  const out = tensor([b, a, ...rest])
  for (let i = 0; i < a; i++)
    for (let j = 0; j < b; j++)
      out.data.set(t.data.subarray((i * b + j) * inner, (i * b + j + 1) * inner), (j * a + i) * inner)
  return out
}
