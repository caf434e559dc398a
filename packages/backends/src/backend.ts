import type { Graph } from '@cellgraph/graph'

/** Host-side data for a tensor, row-major, with run-time dims ([B,F], [T,B,F] or a tensor's shape). */
export interface HostTensor {
  readonly dims: readonly number[]
  readonly data: Float32Array | Float64Array | readonly number[]
}

/**
 * A tensor that lives in a backend's memory. Data moves only through `write` and `read`, which
 * may be asynchronous (WebGPU). Release it with `dispose()`.
 */
export interface DeviceTensor {
  readonly dims: readonly number[]
  /** Copies the values to the host (float32 on compiled backends, float64 on the reference). */
  read(): Promise<Float32Array | Float64Array>
  /** Overwrites the values from the host; the length must match. */
  write(data: Float32Array | Float64Array | readonly number[]): void
  dispose(): void
}

export interface RunOptions {
  /**
   * Output name -> an existing tensor to write that output into, e.g. an updated parameter written
   * back into the tensor that was bound as the parameter (a training step updates in place). A
   * target may be one of the same run's inputs: every backend writes targets only after the run
   * has read all its inputs (final states over the initial states they started from; tested in
   * test/intoInputs.test.ts).
   */
  readonly into?: Readonly<Record<string, DeviceTensor>>
}

/**
 * A graph compiled for one backend. `run` takes inputs by leaf name and returns outputs by name.
 * Outputs not written `into` caller tensors are owned by the executable and reused by its next run
 * (preallocated per compiled graph): read them before running again.
 */
export interface Executable {
  readonly graph: Graph
  run(
    inputs: Readonly<Record<string, DeviceTensor>>,
    options?: RunOptions,
  ): Promise<Record<string, DeviceTensor>>
  dispose(): void
}

export interface CompileOptions {
  /** Print the graph after each pass and the generated kernels through this function. */
  readonly trace?: (stage: string, text: string) => void
}

/** One execution target. Every backend passes the same conformance suite against the reference. */
export interface Backend {
  readonly name: string
  compile(graph: Graph, options?: CompileOptions): Promise<Executable>
  upload(tensor: HostTensor): DeviceTensor
  dispose(): void
}
