import { grad, gradName } from '@cellgraph/autodiff'
import type { Backend, DeviceTensor, Executable } from '@cellgraph/backends'
import { type Cell, cellFromJson, cellParams, cellToJson, Rng } from '@cellgraph/graph'
import { addingBatch, addingGraph, decodeSafetensors, encodeSafetensors, Optimizer } from '@cellgraph/train'
import { cellForTask } from './cellForTask.js'
import type { TrainingSession, TrainSetup } from './session.js'

const FORMAT = 'cellgraph-playground-adding'

/**
 * The adding problem (two marked values in a sequence; predict their sum after the last step):
 * the cell over the sequence, a linear head on its final state, MSE loss, Adam clipped at norm 1.
 * Predicting the mean scores MSE 1/6 ≈ 0.167; a cell that remembers does better.
 */
export class AddingSession implements TrainingSession {
  readonly task = 'adding'
  steps = 0

  private constructor(
    private readonly backend: Backend,
    private readonly cell: Cell,
    private readonly setup: TrainSetup,
    private readonly trainer: Executable,
    private readonly optimizer: Optimizer,
    private readonly params: Record<string, DeviceTensor>,
    private readonly rng: Rng,
    readonly description: string,
  ) {}

  static async create(
    backend: Backend,
    setup: TrainSetup,
    resume?: { cell: Cell; params: Record<string, Float32Array | Float64Array>; steps: number },
  ): Promise<AddingSession> {
    const cell = resume?.cell ?? cellForTask(setup, 2)
    if (cell.sizes.input !== 2)
      throw new Error(
        `the adding problem feeds 2 values a step; this cell's input size is ${cell.sizes.input}`,
      )
    const hidden = cell.sizes.hidden
    const specs = cellParams(cell).map((p) => ({ name: `cell.${p.name}`, shape: p.shape }))
    specs.push({ name: 'head.W', shape: [1, hidden] }, { name: 'head.b', shape: [1] })
    const rng = new Rng(setup.seed)
    const params: Record<string, DeviceTensor> = {}
    for (const p of specs) {
      // PyTorch's defaults: U(±1/√H) for the recurrent layers and the head (fan-in H).
      const bound = 1 / Math.sqrt(hidden)
      const size = p.shape.reduce((a, d) => a * d, 1)
      const data =
        resume?.params[p.name] ?? Float64Array.from({ length: size }, () => rng.uniform(-bound, bound))
      params[p.name] = backend.upload({ dims: p.shape, data })
    }
    const graph = addingGraph(cell)
    const trainer = await backend.compile(grad(graph, { loss: 'loss', wrt: specs.map((p) => p.name) }))
    const optimizer = await Optimizer.create(backend, { kind: 'adam' }, specs, 1)
    const session = new AddingSession(
      backend,
      cell,
      setup,
      trainer,
      optimizer,
      params,
      rng,
      `${cell.name} (hidden ${hidden}) on the adding problem, ${setup.length} steps a sequence`,
    )
    session.steps = resume?.steps ?? 0
    return session
  }

  static load(backend: Backend, setup: TrainSetup, bytes: Uint8Array): Promise<AddingSession> {
    const { tensors, metadata } = decodeSafetensors(bytes)
    if (metadata.format !== FORMAT)
      throw new Error(`these bytes are not an adding-problem model (format '${metadata.format}')`)
    const params = Object.fromEntries(Object.entries(tensors).map(([n, t]) => [n, t.data as Float32Array]))
    return AddingSession.create(backend, setup, {
      cell: cellFromJson(metadata.cell),
      params,
      steps: Number(metadata.steps),
    })
  }

  // Inputs by batch size, allocated once and overwritten each step (outputs belong to the executable).
  private readonly inputs = new Map<number, Record<string, DeviceTensor>>()

  private inputsFor(batch: number): Record<string, DeviceTensor> {
    let inputs = this.inputs.get(batch)
    if (!inputs) {
      const { cell, backend, setup } = this
      const zeros = (n: number) => new Float64Array(n)
      inputs = {
        x: backend.upload({ dims: [setup.length, batch, 2], data: zeros(setup.length * batch * 2) }),
        target: backend.upload({ dims: [batch, 1], data: zeros(batch) }),
      }
      for (const s of cell.state)
        inputs[`${s}0`] = backend.upload({
          dims: [batch, cell.sizes.hidden],
          data: zeros(batch * cell.sizes.hidden),
        })
      this.inputs.set(batch, inputs)
    }
    return inputs
  }

  private async run(batch: number): Promise<{ loss: number; out: Record<string, DeviceTensor> }> {
    const inputs = this.inputsFor(batch)
    const data = addingBatch(this.rng, this.setup.length, batch)
    inputs.x!.write(data.x)
    inputs.target!.write(data.y)
    const out = await this.trainer.run({ ...inputs, ...this.params })
    return { loss: (await out.loss!.read())[0]!, out }
  }

  async step(): Promise<number> {
    const { loss, out } = await this.run(this.setup.batch)
    if (!Number.isFinite(loss))
      throw new Error(`the loss became ${loss} at step ${this.steps + 1}; try a smaller learning rate`)
    const grads = Object.fromEntries(Object.keys(this.params).map((n) => [n, out[gradName(n)]!]))
    await this.optimizer.update(this.params, grads, this.setup.lr)
    this.steps++
    return loss
  }

  async sample(): Promise<string> {
    const { loss } = await this.run(256)
    return `mean squared error on 256 fresh sequences: ${loss.toFixed(4)} (always predicting the mean: 0.1667)`
  }

  async save(): Promise<Uint8Array> {
    const tensors = Object.fromEntries(
      await Promise.all(
        Object.entries(this.params).map(async ([n, t]) => [
          n,
          { dtype: 'F32' as const, shape: t.dims, data: Float32Array.from(await t.read()) },
        ]),
      ),
    )
    return encodeSafetensors(tensors, {
      format: FORMAT,
      cell: cellToJson(this.cell),
      steps: String(this.steps),
    })
  }

  dispose(): void {
    this.trainer.dispose()
    this.optimizer.dispose()
    for (const t of Object.values(this.params)) t.dispose()
    for (const inputs of this.inputs.values()) for (const t of Object.values(inputs)) t.dispose()
  }
}
