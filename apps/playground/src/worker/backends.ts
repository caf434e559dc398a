import { type Backend, openBackend } from '@cellgraph/backends'

/** The backends the playground offers: compiled CPU (WebAssembly), plain JavaScript, WebGPU. */
export const backendChoices = ['cpu', 'cpu-js', 'webgpu'] as const
export type BackendChoice = (typeof backendChoices)[number]

const made = new Map<BackendChoice, Promise<Backend>>()

/** One backend instance per name in this worker (a WebGPU device is costly to make). */
export function backendFor(name: BackendChoice): Promise<Backend> {
  let backend = made.get(name)
  if (!backend) {
    backend = openBackend(name)
    // A failed start (no adapter) is not cached: the next try asks again.
    backend.catch(() => made.delete(name))
    made.set(name, backend)
  }
  return backend
}
