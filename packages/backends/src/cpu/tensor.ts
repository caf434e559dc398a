import { elementCount, InputError } from '@cellgraph/graph'
import type { DeviceTensor, HostTensor } from '../backend.js'

/**
 * A float32 tensor in host memory, owned by the CPU backend. Its values change only through
 * `write` (or, for an executable's output, by that executable's runs), which advance `version`.
 */
export class CpuTensor implements DeviceTensor {
  private disposed = false
  /** Counts writes: code that keeps something derived from the values (a packed weight) checks it. */
  version = 0
  constructor(
    readonly dims: readonly number[],
    readonly data: Float32Array,
  ) {}

  static upload(host: HostTensor, allocate = (n: number): Float32Array => new Float32Array(n)): CpuTensor {
    const size = elementCount(host.dims)
    if (host.data.length !== size)
      throw new InputError(`data has ${host.data.length} values, dims [${host.dims.join(',')}] need ${size}`)
    const data = allocate(size)
    data.set(host.data)
    return new CpuTensor([...host.dims], data)
  }

  async read(): Promise<Float32Array> {
    return this.live().slice()
  }

  write(data: Float32Array | Float64Array | readonly number[]): void {
    const target = this.live()
    if (data.length !== target.length)
      throw new InputError(`write of ${data.length} values into a tensor of dims [${this.dims.join(',')}]`)
    target.set(data)
    this.version++
  }

  dispose(): void {
    this.disposed = true
  }

  /** The values, for backend code; fails once disposed. */
  live(): Float32Array {
    if (this.disposed) throw new InputError('this tensor was disposed')
    return this.data
  }
}
