import type { CellDefinition } from '@cellgraph/graph'
import { type Cell, cellParams, evaluate, type Graph, type Tensor, tensor } from '@cellgraph/graph'
import type { BenchConfig } from './configs.js'
import { cellFor, workloadGraph } from './model.js'
import { uniform } from './rng.js'

/** A short sequence on which every peer's loss is compared with the float64 reference. */
export interface CheckCase {
  readonly batch: number
  readonly steps: number
  /** [steps, batch, I], time-major. */
  readonly x: Float32Array
  /** [steps, batch, H], time-major. */
  readonly R: Float32Array
  /** The reference interpreter's loss in float64. */
  readonly loss: number
  /** Σ |h_t·R_t| over every element: the scale the agreement tolerance is relative to. */
  readonly scale: number
}

/** Everything the engines share for one config: weights, the fixed R, the inputs of every run. */
export interface Problem {
  readonly config: BenchConfig
  readonly cell: Cell
  readonly graph: Graph
  /** The cell's parameters by name (float32 values held in float64). */
  readonly params: Readonly<Record<string, Tensor>>
  /** R [T, B, H], time-major. */
  readonly R: Float32Array
  readonly check: CheckCase
  /** The input of timed run `run`: [steps, B, I], time-major, different for every run. */
  inputs(run: number, steps: number): Float32Array
}

/** Parameters uniform in ±1/√H as PyTorch initialises them, rounded to float32 for every engine. */
export function randomParams(cell: Cell, seed: number): Record<string, Tensor> {
  const bound = 1 / Math.sqrt(cell.sizes.hidden)
  return Object.fromEntries(
    cellParams(cell).map((p, k) => {
      const count = p.shape.reduce((n, d) => n * d, 1)
      return [p.name, tensor(p.shape, uniform(count, bound, seed + 97 * k))]
    }),
  )
}

/** The float64 reference loss and its scale (Σ|h·R|) for time-major x and R. */
export function referenceLoss(
  cell: Cell,
  params: Readonly<Record<string, Tensor>>,
  x: Float32Array,
  R: Float32Array,
  batch: number,
  steps: number,
): { loss: number; scale: number } {
  const { input, hidden } = cell.sizes
  const out = evaluate(workloadGraph(cell), {
    x: tensor([steps, batch, input], x),
    ...Object.fromEntries(cell.state.map((s) => [`${s}0`, tensor([batch, hidden])])),
    ...params,
    R: tensor([steps, batch, hidden], R),
  })
  const y = out.y!.data
  let scale = 0
  for (let i = 0; i < y.length; i++) scale += Math.abs(y[i]! * R[i]!)
  return { loss: out.loss!.data[0]!, scale }
}

/** The problem for one cell and config, deterministic from the seed. */
export function makeProblem(definition: CellDefinition, config: BenchConfig, seed = 1): Problem {
  const cell = cellFor(definition, config)
  const { batch, steps, input, hidden } = config
  const params = randomParams(cell, seed)
  const checkBatch = Math.min(batch, 4)
  const checkSteps = Math.min(steps, 8)
  const checkX = uniform(checkSteps * checkBatch * input, 1, seed + 11)
  const checkR = uniform(checkSteps * checkBatch * hidden, 1, seed + 13)
  const R = uniform(steps * batch * hidden, 1, seed + 17)
  return {
    config,
    cell,
    graph: workloadGraph(cell),
    params,
    R,
    check: {
      batch: checkBatch,
      steps: checkSteps,
      x: checkX,
      R: checkR,
      ...referenceLoss(cell, params, checkX, checkR, checkBatch, checkSteps),
    },
    inputs: (run, runSteps) => uniform(runSteps * batch * input, 1, seed + 1000 + run),
  }
}
