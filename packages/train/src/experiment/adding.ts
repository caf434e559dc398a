import { grad, gradName, mseLoss } from '@cellgraph/autodiff'
import type { Backend, DeviceTensor } from '@cellgraph/backends'
import {
  type Cell,
  type CellDefinition,
  cellParams,
  type Graph,
  GraphBuilder,
  layer,
  Rng,
  tracing,
} from '@cellgraph/graph'
import { Optimizer } from '../optim/optimizer.js'

/**
 * The adding problem (Hochreiter & Schmidhuber, 1997): a sequence of `lag` steps, each with a
 * random value in [0, 1) and a marker; exactly two steps are marked, one in each half, and the
 * target is the sum of their values. The answer is read after the last step, so the first value
 * must be held for up to `lag` steps. Always predicting the mean, 1, scores MSE 1/6 ≈ 0.167.
 */
export function addingBatch(rng: Rng, lag: number, batch: number): { x: Float64Array; y: Float64Array } {
  if (lag < 2) throw new Error(`the adding problem needs at least 2 steps, got ${lag}`)
  const x = new Float64Array(lag * batch * 2)
  const y = new Float64Array(batch)
  const half = Math.floor(lag / 2)
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < lag; t++) x[(t * batch + b) * 2] = rng.next()
    const first = rng.int(half)
    const second = half + rng.int(lag - half)
    x[(first * batch + b) * 2 + 1] = 1
    x[(second * batch + b) * 2 + 1] = 1
    y[b] = x[(first * batch + b) * 2]! + x[(second * batch + b) * 2]!
  }
  return { x, y }
}

/** The regression model: the cell over the sequence, a linear head on its final `h` state, MSE loss. */
export function addingGraph(cell: Cell): Graph {
  const b = new GraphBuilder()
  return tracing(b, () => {
    const x = b.leaf('input', 'x', { name: 'x', type: { layout: 'seq', shape: [2] } })
    const target = b.leaf('input', 'target', { name: 'target', type: { layout: 'batch', shape: [1] } })
    const states = cell.state.map((s) =>
      b.leaf('input', `${s}0`, { name: `${s}0`, type: { layout: 'batch', shape: [cell.sizes.hidden] } }),
    )
    const params = cellParams(cell).map((p) =>
      b.leaf('param', `cell.${p.name}`, { name: `cell.${p.name}`, shape: [...p.shape] }),
    )
    const outs = b.apply('scan', [...states, x, ...params], {
      body: cell.graph,
      carries: states.length,
      sequences: 1,
      reverse: false,
    })
    const h = outs[Math.max(0, cell.state.indexOf('h'))]!
    const prediction = layer('head', h, 1)
    return b.build([
      { name: 'loss', value: mseLoss(prediction, target) },
      { name: 'prediction', value: prediction },
    ])
  })
}

/** Learned parameters of the adding model for a cell at hidden size `hidden` (cell plus head). */
export function addingParameterCount(definition: CellDefinition, hidden: number): number {
  const cell = definition({ input: 2, hidden })
  return cellParams(cell).reduce((n, p) => n + p.shape.reduce((a, d) => a * d, 1), 0) + hidden + 1
}

/** The hidden size whose parameter count is closest to `budget`. */
export function hiddenForBudget(definition: CellDefinition, budget: number): number {
  let best = 1
  for (let h = 1; h <= 512; h++) {
    const n = addingParameterCount(definition, h)
    if (Math.abs(n - budget) < Math.abs(addingParameterCount(definition, best) - budget)) best = h
    if (n > budget) break
  }
  return best
}

export interface AddingRun {
  readonly definition: CellDefinition
  readonly hidden: number
  readonly lag: number
  readonly seed: number
  readonly steps: number
  readonly batch?: number
  readonly lr?: number
  readonly testSize?: number
}

export interface AddingResult {
  readonly testMse: number
  readonly trainLoss: number
  readonly seconds: number
  readonly parameters: number
}

/** Trains on fresh batches with Adam (clipped at norm 1), then measures MSE on fresh test sequences. */
export async function runAdding(backend: Backend, run: AddingRun): Promise<AddingResult> {
  const started = Date.now()
  const batch = run.batch ?? 32
  const cell = run.definition({ input: 2, hidden: run.hidden })
  const graph = addingGraph(cell)
  const specs = cellParams(cell).map((p) => ({ name: `cell.${p.name}`, shape: p.shape }))
  specs.push({ name: 'head.W', shape: [1, run.hidden] }, { name: 'head.b', shape: [1] })
  const rng = new Rng(run.seed)
  const params: Record<string, DeviceTensor> = {}
  for (const p of specs) {
    // PyTorch's defaults: U(±1/√H) for the recurrent layers and for the head (fan-in H).
    const bound = 1 / Math.sqrt(run.hidden)
    const data = Float64Array.from({ length: p.shape.reduce((a, d) => a * d, 1) }, () =>
      rng.uniform(-bound, bound),
    )
    params[p.name] = backend.upload({ dims: p.shape, data })
  }
  const trainer = await backend.compile(grad(graph, { loss: 'loss', wrt: specs.map((p) => p.name) }))
  const forward = await backend.compile(graph)
  const optimizer = await Optimizer.create(backend, { kind: 'adam' }, specs, 1)
  const zeros = (rows: number) =>
    Object.fromEntries(
      cell.state.map((s) => [
        `${s}0`,
        backend.upload({ dims: [rows, run.hidden], data: new Float64Array(rows * run.hidden) }),
      ]),
    )
  const trainStates = zeros(batch)
  let trainLoss = Number.NaN
  for (let step = 0; step < run.steps; step++) {
    const data = addingBatch(rng, run.lag, batch)
    const out = await trainer.run({
      x: backend.upload({ dims: [run.lag, batch, 2], data: data.x }),
      target: backend.upload({ dims: [batch, 1], data: data.y }),
      ...trainStates,
      ...params,
    })
    const grads = Object.fromEntries(specs.map((p) => [p.name, out[gradName(p.name)]!]))
    trainLoss = (await optimizer.update(params, grads, run.lr ?? 0.01, out.loss!)).loss
  }
  const testSize = run.testSize ?? 512
  const test = addingBatch(new Rng(run.seed + 1_000_003), run.lag, testSize)
  const out = await forward.run({
    x: backend.upload({ dims: [run.lag, testSize, 2], data: test.x }),
    target: backend.upload({ dims: [testSize, 1], data: test.y }),
    ...zeros(testSize),
    ...params,
  })
  const testMse = (await out.loss!.read())[0]!
  trainer.dispose()
  forward.dispose()
  optimizer.dispose()
  return {
    testMse,
    trainLoss,
    seconds: (Date.now() - started) / 1000,
    parameters: specs.reduce((n, p) => n + p.shape.reduce((a, d) => a * d, 1), 0),
  }
}
