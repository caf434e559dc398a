import type { Graph } from '@cellgraph/graph'

// The part of the Backend interface (packages/backends/src/backend.ts) the conformance suite
// uses, restated structurally: this package may not depend on @cellgraph/backends, whose tests
// depend on this package. Every Backend is assignable to ConformanceBackend.

/** A tensor held by a backend. */
export interface ConformanceTensor {
  readonly dims: readonly number[]
  read(): Promise<Float32Array | Float64Array>
  dispose(): void
}

export interface ConformanceExecutable {
  run(inputs: Readonly<Record<string, ConformanceTensor>>): Promise<Record<string, ConformanceTensor>>
  dispose(): void
}

export interface ConformanceBackend {
  readonly name: string
  compile(graph: Graph): Promise<ConformanceExecutable>
  upload(tensor: { readonly dims: readonly number[]; readonly data: Float64Array }): ConformanceTensor
  dispose(): void
}
