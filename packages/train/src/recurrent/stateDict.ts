import { type Tensor, tensor } from '@cellgraph/graph'
import { fromStoredNames, toStoredNames } from '../model/names.js'
import type { ModelCore } from './core.js'

export class StateDictError extends Error {
  override name = 'StateDictError'
}

/** The stored name and shape of every parameter of the model. */
export function expectedState(core: ModelCore): Record<string, readonly number[]> {
  const zeros = Object.fromEntries(core.paramShapes.map((p) => [p.name, tensor(p.shape)]))
  return Object.fromEntries(Object.entries(toStoredNames(core.spec, zeros)).map(([n, t]) => [n, t.dims]))
}

/** Checks a state dict's names and shapes against the model, then writes it into the parameters. */
export function loadStateInto(core: ModelCore, state: Readonly<Record<string, Tensor>>): void {
  const expected = expectedState(core)
  for (const [name, shape] of Object.entries(expected)) {
    const t = state[name]
    if (!t) throw new StateDictError(`the state dict has no '${name}'`)
    if (t.dims.join() !== shape.join())
      throw new StateDictError(`'${name}' has shape [${t.dims}], the model expects [${shape}]`)
  }
  for (const name of Object.keys(state))
    if (!Object.hasOwn(expected, name))
      throw new StateDictError(`unexpected '${name}'; the model has ${Object.keys(expected).join(', ')}`)
  const params = fromStoredNames(core.spec, state)
  for (const [name, t] of Object.entries(params)) core.params[name]!.write(t.data)
}
