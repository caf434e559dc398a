import type { Graph } from '@cellgraph/graph'
import type { Backend, CompileOptions, DeviceTensor, Executable, HostTensor } from './backend.js'
import { cpuBackend } from './cpu/cpuBackend.js'
import { defaultCpuBackend, wasmCpuBackend } from './cpu/wasmBackend.js'
import { referenceBackend } from './reference/referenceBackend.js'
import { webgpuBackend } from './webgpu/webgpuBackend.js'

/**
 * Every backend known by name — the one list `compile`, the command-line program and the bench
 * share. 'cpu' is the fastest CPU backend (WebAssembly SIMD kernels on two threads,
 * `defaultCpuBackend()`); 'cpu-js' is plain JavaScript, for environments without
 * SharedArrayBuffer; 'webgpu' is the GPU (in Node it needs the optional `webgpu` package);
 * 'reference' is the float64 interpreter, the oracle; 'cpu-wasm' is 'cpu' by its explicit name.
 */
export const namedBackends = {
  cpu: defaultCpuBackend,
  'cpu-js': () => cpuBackend({ name: 'cpu-js' }),
  webgpu: () => webgpuBackend(),
  reference: referenceBackend,
  'cpu-wasm': wasmCpuBackend,
} as const satisfies Record<string, () => Backend | Promise<Backend>>

export type BackendName = keyof typeof namedBackends

/** The names `openBackend` and `compile` accept, in a stable order. */
export const backendNames = Object.keys(namedBackends) as readonly BackendName[]

export const isBackendName = (name: string): name is BackendName => Object.hasOwn(namedBackends, name)

/**
 * A new backend by name; an unknown name is an error that lists the known ones. The caller owns
 * the backend (`dispose()` when done).
 */
export async function openBackend<N extends BackendName>(name: N): Promise<OpenedBackend<N>> {
  if (!isBackendName(name))
    throw new Error(`unknown backend '${String(name)}'; known: ${backendNames.join(', ')}`)
  return (await namedBackends[name]()) as OpenedBackend<N>
}

/** The backend type a name opens (e.g. 'webgpu' gives a `WebGpuBackend`, with its adapter name). */
export type OpenedBackend<N extends BackendName> = Awaited<ReturnType<(typeof namedBackends)[N]>>

export interface CompileRequest extends CompileOptions {
  /** A backend by name (a shared instance) or a backend object. Default 'cpu' (WebAssembly SIMD); 'cpu-js' is plain JavaScript. */
  readonly backend?: BackendName | Backend
}

/** An executable together with the backend whose tensors it takes. */
export interface CompiledGraph extends Executable {
  readonly backend: Backend
  /** Uploads host data to the backend (shorthand for `backend.upload`). */
  upload(tensor: HostTensor): DeviceTensor
}

// One instance per name, shared by every `compile` that names it; a failed open is not kept, so
// a later call can try again (e.g. after installing `webgpu`).
const shared = new Map<BackendName, Promise<Backend>>()

/** The shared backend of a name, opened on first use. */
export function sharedBackend(name: BackendName): Promise<Backend> {
  let backend = shared.get(name)
  if (!backend) {
    backend = openBackend(name)
    shared.set(name, backend)
    backend.catch(() => shared.delete(name))
  }
  return backend
}

/**
 * Compiles a graph — a cell's sequence model, its training graph from autodiff, an optimizer's
 * update graph — for one backend:
 *
 *     const model = await compile(graph, { backend: 'cpu', trace: (stage, text) => console.log(stage, text) })
 *     const out = await model.run({ x: model.upload({ dims: [T, B, I], data }), ... })
 *
 * `trace` receives the program after each pass and, on the CPU backend, the generated code for
 * each batch size and sequence length the graph runs at.
 */
export async function compile(graph: Graph, request: CompileRequest = {}): Promise<CompiledGraph> {
  const { backend: choice = 'cpu', ...options } = request
  const backend = typeof choice === 'string' ? await sharedBackend(choice) : choice
  const executable = await backend.compile(graph, options)
  return {
    graph: executable.graph,
    backend,
    run: (inputs, runOptions) => executable.run(inputs, runOptions),
    upload: (tensor) => backend.upload(tensor),
    dispose: () => executable.dispose(),
  }
}
