import { describeConformance } from '@cellgraph/testing'
import { cpuBackend, referenceBackend, wasmCpuBackend } from '../src/index.js'

// The shared suite: built-in cells, a two-layer stack and random cells, forward and backward,
// against the float64 interpreter with the suite's one float32 tolerance.
describeConformance('reference', referenceBackend, { exact: true })
describeConformance('cpu-js', () => cpuBackend())
describeConformance('cpu-wasm', () => wasmCpuBackend())
describeConformance('cpu-wasm, one thread', () => wasmCpuBackend({ threads: 1 }))
