import { InputError } from '@cellgraph/graph'
import type { DeviceTensor } from './backend.js'

/**
 * Checks that `run()` was given `{ name: deviceTensor }`: a caller in plain JavaScript can pass a
 * Float32Array or a host tensor, which would otherwise fail deep inside with "cannot read
 * properties of undefined".
 */
export function checkRunInputs(inputs: unknown): asserts inputs is Readonly<Record<string, DeviceTensor>> {
  if (typeof inputs !== 'object' || inputs === null || ArrayBuffer.isView(inputs) || Array.isArray(inputs))
    throw new InputError(
      `run() takes an object of named device tensors ({ x: backend.upload({ dims, data }), ... }), got ${describe(inputs)}`,
    )
  for (const [name, value] of Object.entries(inputs)) checkDeviceTensor(name, value)
}

/** Throws unless `value` looks like a device tensor (dims, read, write); the message names the input. */
export function checkDeviceTensor(name: string, value: unknown): asserts value is DeviceTensor {
  const t = value as Partial<DeviceTensor> | null | undefined
  if (t && typeof t === 'object' && Array.isArray(t.dims) && typeof t.read === 'function') return
  throw new InputError(
    `input '${name}' is ${describe(value)}, not a device tensor: upload it first with backend.upload({ dims, data })`,
  )
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'data' in value ? 'a host tensor ({ dims, data })' : 'an object'
  return `a ${typeof value}`
}
