import type { CellForm } from '../cell/parse.js'
import type { BackendChoice } from '../worker/backends.js'

export const tasks = ['char-lm', 'adding'] as const
export type Task = (typeof tasks)[number]

/** What the train view asks the worker to train. */
export interface TrainSetup {
  readonly task: Task
  readonly backend: BackendChoice
  /** The cell as the editor holds it; a DSL cell is traced at the task's input size and `hidden`. */
  readonly source: { readonly form: CellForm; readonly text: string }
  readonly hidden: number
  /** Optimizer steps in all. */
  readonly steps: number
  readonly batch: number
  readonly lr: number
  /** char-lm: characters per training sequence; adding: the sequence length. */
  readonly length: number
  /** char-lm: text to train on instead of the built-in corpus. */
  readonly text?: string
  readonly seed: number
}

/** Events the worker sends while training. */
export type TrainEvent =
  | { readonly kind: 'step'; readonly step: number; readonly loss: number; readonly stepsPerSecond: number }
  | { readonly kind: 'sample'; readonly step: number; readonly text: string }
  | {
      readonly kind: 'state'
      readonly state: 'running' | 'stopped' | 'done' | 'failed'
      readonly note?: string
    }
