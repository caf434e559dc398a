import type { Backend } from '@cellgraph/backends'
import { Rng } from '@cellgraph/graph'
import {
  decodeSafetensors,
  encodeSafetensors,
  loadModel,
  type RecurrentModel,
  recurrentModel,
  softmax,
  Vocabulary,
} from '@cellgraph/train'
import type { Task, TrainSetup } from './session.js'
import { addingData, charLmData, modelOptions, type TaskData } from './tasks.js'

// What the playground adds to a model file's metadata, so a loaded model knows its task.
const PLAYGROUND_KEY = 'playground'

/** A model around the editor's cell, trained on a task with `fit`, a run at a time. */
export class ModelSession {
  private constructor(
    readonly task: Task,
    private readonly model: RecurrentModel,
    private data: TaskData,
    public steps: number,
  ) {}

  static async create(backend: Backend, setup: TrainSetup): Promise<ModelSession> {
    const data = setup.task === 'adding' ? addingData(setup) : charLmData(setup)
    const model = await recurrentModel({ ...modelOptions(setup, data), backend, seed: setup.seed })
    return new ModelSession(setup.task, model, data, 0)
  }

  /** A saved model, with the data of its task as the page now describes it. */
  static async load(backend: Backend, setup: TrainSetup, bytes: Uint8Array): Promise<ModelSession> {
    const extra = JSON.parse(decodeSafetensors(bytes).metadata[PLAYGROUND_KEY] ?? 'null') as {
      task: Task
      steps: number
      chars?: string[]
    } | null
    if (!extra) throw new Error('this model file was not saved by the playground (no task in its metadata)')
    const model = await loadModel(bytes, { backend, seed: setup.seed })
    const task = { ...setup, task: extra.task }
    const data =
      extra.task === 'adding' ? addingData(task) : charLmData(task, new Vocabulary(extra.chars ?? []))
    return new ModelSession(extra.task, model, data, extra.steps)
  }

  get description(): string {
    const cell = this.model.spec.cells[0]!
    return `${cell.name} (hidden ${cell.sizes.hidden}) on ${this.data.description}`
  }

  /**
   * Trains up to `total` steps in all with `fit` (the model keeps its Adam moments from run to
   * run, and a saved model carries them); `signal` stops it between steps.
   */
  async train(
    setup: TrainSetup,
    total: number,
    onStep: (step: number, loss: number) => Promise<void>,
    signal: AbortSignal,
  ): Promise<void> {
    if (this.steps >= total) return
    await this.model.fit(this.data.train, {
      steps: total - this.steps,
      batchSize: setup.batch,
      lr: setup.lr,
      clip: 1,
      signal,
      onStep: async ({ loss }) => {
        this.steps++
        await onStep(this.steps, loss)
      },
    })
  }

  /** Generated text (char-lm), or the loss on held-out sequences (adding). */
  async sample(): Promise<string> {
    const { vocabulary } = this.data
    if (!vocabulary) {
      const { loss } = await this.model.evaluate(this.data.validation)
      return `mean squared error on ${this.data.validation.length} held-out sequences: ${loss.toFixed(4)} (always predicting the mean: 0.1667)`
    }
    const rng = new Rng(this.steps + 1)
    this.model.resetState()
    let id = vocabulary.chars.includes('\n') ? vocabulary.encode('\n')[0]! : 0
    const out: number[] = []
    for (let i = 0; i < 160; i++) {
      id = rng.categorical(softmax(await this.model.step(id), 0.8))
      out.push(id)
    }
    this.model.resetState()
    return vocabulary.decode(out)
  }

  /** The model file (`model.save()`) with the task, steps and characters in its metadata. */
  async save(): Promise<Uint8Array> {
    const { tensors, metadata } = decodeSafetensors(await this.model.save())
    const extra = {
      task: this.task,
      steps: this.steps,
      ...(this.data.vocabulary ? { chars: this.data.vocabulary.chars } : {}),
    }
    return encodeSafetensors(tensors, { ...metadata, [PLAYGROUND_KEY]: JSON.stringify(extra) })
  }

  dispose(): void {
    this.model.dispose()
  }
}
