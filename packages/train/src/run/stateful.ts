import { carriedStates, initialStates, type StatePair } from '@cellgraph/autodiff'
import type { Backend, DeviceTensor, Executable } from '@cellgraph/backends'
import type { Tensor } from '@cellgraph/graph'
import { oneHot } from '../data/batches.js'
import type { ModelConfig } from '../model/config.js'
import { modelGraph } from '../model/graph.js'
import { uploadAll, zeroStates } from './session.js'

/**
 * A model run one token at a time, carrying its recurrent state from call to call until `reset()`.
 * Every buffer is allocated once, so memory stays flat however many steps it runs.
 */
export class StatefulModel {
  private readonly x: DeviceTensor
  private readonly hot: Float64Array
  private readonly ids = new Int32Array(1)

  private constructor(
    readonly model: ModelConfig,
    private readonly executable: Executable,
    private readonly params: Record<string, DeviceTensor>,
    private readonly states: Record<string, DeviceTensor>,
    private readonly carried: readonly StatePair[],
    backend: Backend,
  ) {
    this.hot = new Float64Array(model.vocabularySize)
    this.x = backend.upload({ dims: [1, 1, model.vocabularySize], data: this.hot })
  }

  static async create(backend: Backend, model: ModelConfig, params: Readonly<Record<string, Tensor>>) {
    const graph = modelGraph(model)
    const executable = await backend.compile(graph)
    return new StatefulModel(
      model,
      executable,
      uploadAll(backend, params),
      zeroStates(backend, model, 1),
      carriedStates(graph),
      backend,
    )
  }

  /** Feeds one token id; returns the logits for the next token (valid until the next call). */
  async step(id: number): Promise<Float32Array | Float64Array> {
    if (!Number.isInteger(id) || id < 0 || id >= this.model.vocabularySize)
      throw new Error(`token id ${id} is outside the vocabulary (0..${this.model.vocabularySize - 1})`)
    this.ids[0] = id
    oneHot(this.ids, this.model.vocabularySize, this.hot)
    this.x.write(this.hot)
    // final states over the initial ones: a run reads its inputs before it writes `into` targets
    const out = await this.executable.run(
      { x: this.x, ...initialStates(this.carried, this.states), ...this.params },
      { into: this.states },
    )
    return out.logits!.read()
  }

  /** Forgets the carried state: the next step starts from zeros. */
  reset(): void {
    for (const t of Object.values(this.states)) t.write(new Float64Array(t.dims.reduce((n, d) => n * d, 1)))
  }

  dispose(): void {
    this.executable.dispose()
    this.x.dispose()
    for (const t of [...Object.values(this.params), ...Object.values(this.states)]) t.dispose()
  }
}
