import { type Graph, type Tensor, tensor } from '@cellgraph/graph'
import type { Backend, DeviceTensor, Executable } from './backend.js'

/** A graph run on a backend from host tensors to host tensors (see `hostRunner`). */
export interface HostRunner {
  run(graph: Graph, inputs: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>>
  /** Disposes the executables it compiled. */
  dispose(): void
}

/**
 * Runs graphs on `backend` from host tensors: each distinct graph is compiled once, its inputs
 * uploaded and its outputs read back (as float64). It is the `run` that autodiff's `runWindows`
 * takes, so truncated BPTT and checkpointing run on any backend.
 */
export function hostRunner(backend: Backend): HostRunner {
  const compiled = new Map<Graph, Promise<Executable>>()
  return {
    async run(graph, inputs) {
      let exe = compiled.get(graph)
      if (!exe) compiled.set(graph, (exe = backend.compile(graph)))
      const executable = await exe
      const uploaded: Record<string, DeviceTensor> = {}
      for (const [name, t] of Object.entries(inputs))
        uploaded[name] = backend.upload({ dims: t.dims, data: t.data })
      try {
        const out = await executable.run(uploaded)
        const host: Record<string, Tensor> = {}
        for (const [name, t] of Object.entries(out))
          host[name] = tensor(t.dims, Float64Array.from(await t.read()))
        return host
      } finally {
        for (const t of Object.values(uploaded)) t.dispose()
      }
    },
    dispose() {
      for (const exe of compiled.values()) void exe.then((e) => e.dispose())
      compiled.clear()
    },
  }
}
