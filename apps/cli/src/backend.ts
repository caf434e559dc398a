import {
  type Backend,
  cpuBackend,
  defaultCpuBackend,
  referenceBackend,
  webgpuBackend,
} from '@cellgraph/backends'
import { CliError } from './args.js'

export const backendNames = ['cpu', 'cpu-js', 'webgpu', 'reference'] as const
export type BackendName = (typeof backendNames)[number]

/**
 * The backend by name: the compiled CPU backend (WebAssembly SIMD; 'cpu-js' is its plain JavaScript
 * twin), WebGPU, or the float64 reference interpreter.
 */
export async function openBackend(name: BackendName): Promise<Backend> {
  if (name === 'cpu') return defaultCpuBackend()
  if (name === 'cpu-js') return cpuBackend({ name: 'cpu-js' })
  if (name === 'reference') return referenceBackend()
  try {
    return await webgpuBackend()
  } catch (e) {
    throw new CliError(`the webgpu backend is not available here: ${(e as Error).message}`)
  }
}
