import type { ScanArg, ScanCall } from './wasmScan.js'

/**
 * The kernel calls of a scan body, collected while its code is generated, so that the scan can
 * become one WebAssembly loop (`compileScan`). Any generated line that is not such a call (a
 * JavaScript helper, a nested loop) spoils the recording, and the scan stays a JavaScript loop.
 */
export class ScanRecording {
  readonly calls: ScanCall[] = []
  spoiled = false
  /** The largest matrix product among the calls, 2·M·N·K. */
  maxProductFlops = 0

  add(call: ScanCall | undefined, productFlops = 0): void {
    if (!call) this.spoiled = true
    else this.calls.push(call)
    this.maxProductFlops = Math.max(this.maxProductFlops, productFlops)
  }
}

/**
 * A slot's address as a call argument: `base` + 4·off bytes, with `off` an element offset
 * expression of the step variable t1 (as generated: `t1 * 8192 + 256`); undefined when it is not
 * affine in t1 (or names another loop's variable).
 */
export function addressArg(base: string, off: string): ScanArg | undefined {
  let at: (t: number) => unknown
  try {
    at = new Function('t1', `return (${off})`) as (t: number) => unknown
  } catch {
    return undefined
  }
  const values: number[] = []
  for (const t of [0, 1, 2]) {
    let v: unknown
    try {
      v = at(t)
    } catch {
      return undefined
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) return undefined
    values.push(v)
  }
  const [v0, v1, v2] = values as [number, number, number]
  if (v2 - v1 !== v1 - v0) return undefined
  return { kind: 'address', base, offset: 4 * v0, stride: 4 * (v1 - v0) }
}

export const i32 = (value: number): ScanArg => ({ kind: 'i32', value })
