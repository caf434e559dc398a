import type { Backend, DeviceTensor } from '@cellgraph/backends'
import { type Tensor, tensor } from '@cellgraph/graph'
import type { ModelSpec } from '../recurrent/options.js'

/** The recurrent state of every layer of a model, by output name (`l0.h`, `l0.c`, ...). */
export const stateNames = (model: Pick<ModelSpec, 'cells'>): string[] =>
  model.cells.flatMap((cell, l) => cell.state.map((s) => `l${l}.${s}`))

/** Zero-initialised device tensors for every layer's state at batch size `batch`. */
export function zeroStates(
  backend: Backend,
  model: Pick<ModelSpec, 'cells'>,
  batch: number,
): Record<string, DeviceTensor> {
  const out: Record<string, DeviceTensor> = {}
  model.cells.forEach((cell, l) => {
    for (const s of cell.state)
      out[`l${l}.${s}`] = backend.upload({
        dims: [batch, cell.sizes.hidden],
        data: new Float64Array(batch * cell.sizes.hidden),
      })
  })
  return out
}

/** Reads device tensors back as host tensors. */
export async function readAll(
  tensors: Readonly<Record<string, DeviceTensor>>,
): Promise<Record<string, Tensor>> {
  const out: Record<string, Tensor> = {}
  for (const [name, t] of Object.entries(tensors)) out[name] = tensor(t.dims, await t.read())
  return out
}

/** Uploads host tensors. */
export function uploadAll(
  backend: Backend,
  tensors: Readonly<Record<string, Tensor>>,
): Record<string, DeviceTensor> {
  return Object.fromEntries(
    Object.entries(tensors).map(([n, t]) => [n, backend.upload({ dims: t.dims, data: t.data })]),
  )
}
