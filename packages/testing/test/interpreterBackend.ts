import { type Graph, runGraph, type Tensor, tensor } from '@cellgraph/graph'
import type { ConformanceBackend, ConformanceTensor } from '../src/index.js'
import { leavesOf } from '../src/index.js'

/**
 * The float64 interpreter behind the conformance interface, for this package's own tests (the
 * backends package runs the suite on its reference backend). `corrupt` lets a test damage the
 * outputs to show that the suite notices.
 */
export function interpreterBackend(
  corrupt: (output: string, data: Float64Array) => Float64Array | undefined = (_, d) => d,
): ConformanceBackend {
  const held = (value: Tensor): ConformanceTensor => ({
    dims: value.dims,
    read: async () => Float64Array.from(value.data),
    dispose() {},
  })
  const values = new WeakMap<ConformanceTensor, Tensor>()
  return {
    name: 'interpreter',
    async compile(graph: Graph) {
      const names = leavesOf(graph).map((l) => l.name)
      return {
        async run(inputs) {
          const outs = runGraph(
            graph,
            names.map((n) => values.get(inputs[n]!)!),
          )
          const result: Record<string, ConformanceTensor> = {}
          graph.outputs.forEach((o, i) => {
            const data = corrupt(o.name, Float64Array.from(outs[i]!.data))
            if (data) result[o.name] = held(tensor(outs[i]!.dims, data))
          })
          return result
        },
        dispose() {},
      }
    },
    upload(host) {
      const t = held(tensor(host.dims, host.data))
      values.set(t, tensor(host.dims, host.data))
      return t
    },
    dispose() {},
  }
}
