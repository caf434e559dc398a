import {
  type EvaluateOptions,
  type Graph,
  InputError,
  leafName,
  runGraph,
  type Tensor,
  tensor,
} from '@cellgraph/graph'
import type { Backend, DeviceTensor, Executable, HostTensor, RunOptions } from '../backend.js'
import { checkRunInputs } from '../inputs.js'

/** A float64 tensor held in host memory. */
class ReferenceTensor implements DeviceTensor {
  private disposed = false
  constructor(public value: Tensor) {}
  get dims() {
    return this.value.dims
  }
  async read() {
    this.check()
    return Float64Array.from(this.value.data)
  }
  write(data: Float32Array | Float64Array | readonly number[]) {
    this.check()
    if (data.length !== this.value.data.length)
      throw new InputError(`write of ${data.length} values into a tensor of dims [${this.dims.join(',')}]`)
    this.value.data.set(data)
  }
  dispose() {
    this.disposed = true
  }
  private check() {
    if (this.disposed) throw new InputError('this tensor was disposed')
  }
}

const asReference = (t: DeviceTensor, name: string): ReferenceTensor => {
  if (!(t instanceof ReferenceTensor)) throw new InputError(`input '${name}' belongs to another backend`)
  return t
}

/**
 * The reference interpreter behind the Backend interface: float64, plain, the oracle. A run fails,
 * naming the input or node, on NaN or ±Infinity unless `checkFinite` is false.
 */
export function referenceBackend(evaluation: EvaluateOptions = {}): Backend {
  return {
    name: 'reference',
    async compile(graph: Graph): Promise<Executable> {
      const byId = new Map(graph.nodes.map((n) => [n.id, n]))
      const leafNames = graph.inputs.map((id) => leafName(byId.get(id)!))
      return {
        graph,
        async run(inputs: Readonly<Record<string, DeviceTensor>>, options: RunOptions = {}) {
          checkRunInputs(inputs)
          const values = leafNames.map((name) => {
            const t = inputs[name]
            if (!t) throw new InputError(`missing input '${name}'`)
            return asReference(t, name).value
          })
          const outs = runGraph(graph, values, evaluation)
          const result: Record<string, DeviceTensor> = {}
          graph.outputs.forEach((o, i) => {
            const target = options.into?.[o.name]
            if (target) {
              target.write(outs[i]!.data)
              result[o.name] = target
            } else result[o.name] = new ReferenceTensor(outs[i]!)
          })
          return result
        },
        dispose() {},
      }
    },
    upload(host: HostTensor): DeviceTensor {
      return new ReferenceTensor(tensor(host.dims, host.data))
    },
    dispose() {},
  }
}
