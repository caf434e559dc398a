import type { Graph } from '@cellgraph/graph'
import type { Backend, CompileOptions, DeviceTensor, Executable, HostTensor } from './backend.js'
import { cpuBackend } from './cpu/cpuBackend.js'
import { defaultCpuBackend, wasmCpuBackend } from './cpu/wasmBackend.js'
import { referenceBackend } from './reference/referenceBackend.js'

/**
 * The backends `compile` knows by name. 'cpu' is the fastest CPU backend (WebAssembly SIMD kernels
 * on two threads, `defaultCpuBackend()`); 'cpu-js' is plain JavaScript, for environments without
 * SharedArrayBuffer; 'cpu-wasm' is 'cpu' by its explicit name.
 */
export const namedBackends = {
  cpu: defaultCpuBackend,
  'cpu-js': () => cpuBackend({ name: 'cpu-js' }),
  'cpu-wasm': wasmCpuBackend,
  reference: referenceBackend,
} as const satisfies Record<string, () => Backend>

export type BackendName = keyof typeof namedBackends

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

const shared = new Map<BackendName, Backend>()

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
  let backend: Backend
  if (typeof choice === 'string') {
    const make = namedBackends[choice]
    if (!make) throw new Error(`unknown backend '${choice}'; known: ${Object.keys(namedBackends).join(', ')}`)
    backend = shared.get(choice) ?? make()
    shared.set(choice, backend)
  } else backend = choice
  const executable = await backend.compile(graph, options)
  return {
    graph: executable.graph,
    backend,
    run: (inputs, runOptions) => executable.run(inputs, runOptions),
    upload: (tensor) => backend.upload(tensor),
    dispose: () => executable.dispose(),
  }
}
