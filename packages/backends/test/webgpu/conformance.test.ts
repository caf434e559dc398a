import { describeConformance } from '@cellgraph/testing'
import { testBackend } from './testBackend.js'

// The shared suite on WebGPU: its sizes (batch 2, 4 steps, hidden 4) suit a software driver, and
// a few random cells per direction keep the run short; CELLGRAPH_PROPERTY_RUNS raises it.
describeConformance('webgpu', () => testBackend(), { randomCells: 4 })
