import { GraphError, InputError } from '@cellgraph/graph'
import type { DeviceTensor } from '../backend.js'
import type { CpuKernels } from './kernels.js'
import { CpuTensor } from './tensor.js'

/**
 * Whether every value is finite: v − v is 0 for a finite v and NaN for NaN or ±Infinity, and a
 * NaN stays in the sum. Four sums so that the loop does not wait on one addition chain (about 4×
 * faster than a Number.isFinite test per element).
 */
export function allFinite(data: Float32Array): boolean {
  let a = 0
  let b = 0
  let c = 0
  let d = 0
  const n = data.length
  let i = 0
  for (; i + 3 < n; i += 4) {
    const v0 = data[i]!
    const v1 = data[i + 1]!
    const v2 = data[i + 2]!
    const v3 = data[i + 3]!
    a += v0 - v0
    b += v1 - v1
    c += v2 - v2
    d += v3 - v3
  }
  for (; i < n; i++) a += data[i]! - data[i]!
  return a + b + c + d === 0
}

/** The plain JavaScript `CpuKernels.copyFinite`: the check, then a memcpy. */
export function copyFinite(from: Float32Array, to?: Float32Array): boolean {
  const finite = allFinite(from)
  to?.set(from)
  return finite
}

/** The error for an output that failed the check, naming it and its first non-finite element. */
export function nonFiniteOutput(name: string, data: Float32Array): GraphError {
  const i = data.findIndex((v) => !Number.isFinite(v))
  return new GraphError(`output '${name}' holds ${data[i]} at element ${i} (cpu backend)`)
}

/**
 * Delivers one output of a run: checks that it is finite (when `check`) and, given a target,
 * writes it there. A target of this backend is written and checked in one pass; it is written
 * even when the check then fails, as a device backend's would be.
 */
export function deliver(
  name: string,
  out: CpuTensor,
  target: DeviceTensor | undefined,
  check: boolean,
  kernels: CpuKernels,
): void {
  const copy = kernels.copyFinite ?? copyFinite
  if (target instanceof CpuTensor) {
    const to = target.live()
    if (to.length !== out.data.length)
      throw new InputError(
        `into '${name}': the target has dims [${target.dims.join(',')}], the output [${out.dims.join(',')}]`,
      )
    const finite = copy(out.data, to)
    target.version++
    if (check && !finite) throw nonFiniteOutput(name, out.data)
    return
  }
  if (check && !copy(out.data)) throw nonFiniteOutput(name, out.data)
  target?.write(out.data)
}
