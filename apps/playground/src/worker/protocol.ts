import type { Cell } from '@cellgraph/graph'
import type { CompilerReport } from '../compiler/report.js'
import type { TrainEvent, TrainSetup } from '../train/session.js'
import type { BackendChoice } from './backends.js'

/** Requests the page sends the worker; each carries an id its answer repeats. */
export type Request =
  | { readonly type: 'compile'; readonly id: number; readonly cell: Cell; readonly backend: BackendChoice }
  | { readonly type: 'gradcheck'; readonly id: number; readonly cell: Cell }
  | { readonly type: 'train'; readonly id: number; readonly setup: TrainSetup; readonly bytes?: Uint8Array }
  | { readonly type: 'stop'; readonly id: number }
  | { readonly type: 'resume'; readonly id: number; readonly steps: number }
  | { readonly type: 'save'; readonly id: number }

export type Answer =
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | { readonly type: 'error'; readonly id: number; readonly message: string }
  | { readonly type: 'event'; readonly event: TrainEvent }

export interface Results {
  compile: CompilerReport
  gradcheck: GradcheckSummary
  train: { description: string; steps: number; backend: string }
  stop: undefined
  resume: undefined
  save: Uint8Array
}

/** The gradient check's outcome: the worst relative error over every parameter and where. */
export interface GradcheckSummary {
  readonly worst: number
  readonly leaf: string
  readonly perLeaf: Readonly<Record<string, number>>
}
