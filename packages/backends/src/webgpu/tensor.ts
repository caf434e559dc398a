/// <reference types="@webgpu/types" />
import { GraphError, InputError } from '@cellgraph/graph'
import type { DeviceTensor } from '../backend.js'
import { type GpuRuntime, usage } from './runtime.js'

/** A float32 tensor in its own GPU buffer. */
export class WebGpuTensor implements DeviceTensor {
  readonly count: number
  /** Counts the writes encoded into this tensor (host writes and runs' outputs), so a run can tell its packed weights are still current. */
  version = 0
  private buffer_: GPUBuffer | undefined

  /**
   * @param output For an executable's own output tensor: its name, so that a non-finite value is
   * reported on read, naming the output, instead of handed back as a silent NaN.
   */
  constructor(
    private readonly runtime: GpuRuntime,
    readonly dims: readonly number[],
    private readonly output?: string,
  ) {
    this.count = dims.reduce((n, d) => n * d, 1)
    this.buffer_ = runtime.createBuffer(
      this.count * 4,
      usage.storage | usage.copySrc | usage.copyDst,
      'tensor',
    )
  }

  get buffer(): GPUBuffer {
    if (!this.buffer_) throw new InputError(`this tensor of dims [${this.dims.join(',')}] was disposed`)
    return this.buffer_
  }

  belongsTo(runtime: GpuRuntime): boolean {
    return this.runtime === runtime
  }

  async read(): Promise<Float32Array> {
    const values = await this.runtime.readFloats(this.buffer, 0, this.count)
    if (this.output !== undefined) {
      const bad = values.findIndex((v) => !Number.isFinite(v))
      if (bad >= 0)
        throw new GraphError(
          `output '${this.output}' holds ${values[bad]} at element ${bad} (webgpu backend)`,
        )
    }
    return values
  }

  write(data: Float32Array | Float64Array | readonly number[]): void {
    if (data.length !== this.count)
      throw new InputError(`write of ${data.length} values into a tensor of dims [${this.dims.join(',')}]`)
    const values = Float32Array.from(data)
    const bad = values.findIndex((v) => !Number.isFinite(v))
    if (bad >= 0) throw new InputError(`value ${data[bad]} at element ${bad} is not finite in float32`)
    this.runtime.writeBuffer(this.buffer, 0, values)
    this.version++
  }

  dispose(): void {
    if (this.buffer_) this.runtime.destroyBuffer(this.buffer_)
    this.buffer_ = undefined
  }
}
