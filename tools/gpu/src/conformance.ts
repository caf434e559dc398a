import { type Backend, webgpuBackend } from '@cellgraph/backends'
import { type BenchConfig, layerNormLstm } from '@cellgraph/bench'
import type { CellDefinition } from '@cellgraph/graph'
import {
  backwardCase,
  builtinCellDefinitions,
  builtinModelCases,
  CONFORMANCE_TOLERANCE,
  forwardCase,
  type GraphCase,
  graphInputs,
  graphMismatch,
  type ModelCase,
  sequenceModel,
  tensorErrors,
} from '@cellgraph/testing'

/**
 * The sizes checked beyond the suite's own (batch 2, 4 steps, hidden 4), larger so a GPU runs the
 * kernels the bench runs: `wide` has the bench's medium width (H 256, B 32, 4H = 1024 columns),
 * with few steps to keep the float64 reference quick.
 */
export const checkSizes: readonly BenchConfig[] = [
  { name: 'mid', batch: 4, steps: 8, input: 16, hidden: 32 },
  { name: 'wide', batch: 32, steps: 6, input: 64, hidden: 256 },
]

/** The cells checked at every size: the built-ins and the bench's layer-normalised LSTM. */
export const checkedCells: Readonly<Record<string, CellDefinition>> = {
  ...builtinCellDefinitions,
  layer_norm_lstm: layerNormLstm,
}

/** The cases: the suite's fixed ones, then every checked cell at each size (none with `small`). */
export function conformanceCases(small: boolean): ModelCase[] {
  const cases = builtinModelCases()
  cases.push(modelCase('layer_norm_lstm', layerNormLstm, { input: 3, hidden: 4, batch: 2, steps: 4 }))
  if (small) return cases
  for (const size of checkSizes)
    for (const [name, cell] of Object.entries(checkedCells))
      cases.push(
        modelCase(`${name} (${size.name}: B=${size.batch} T=${size.steps} H=${size.hidden})`, cell, size),
      )
  return cases
}

function modelCase(name: string, cell: CellDefinition, size: Omit<BenchConfig, 'name'>): ModelCase {
  const model = sequenceModel([cell({ input: size.input, hidden: size.hidden })])
  const inputs = graphInputs(
    model.graph,
    { batch: size.batch, steps: size.steps, saturation: 0, roles: model.roles },
    7,
  )
  return { name, model, inputs }
}

/** One case's verdict: the worst error over its outputs relative to each output's largest magnitude. */
export interface CaseResult {
  readonly name: string
  readonly ok: boolean
  /** The worst |error| over the tolerance's bound for its output: below 1 passes. */
  readonly worstOfBound: number
  readonly worstRelative: number
  readonly problem?: string
  readonly seconds: number
}

/** Runs a case on the backend and the float64 reference, judged by the suite's one tolerance (`graphMismatch`). */
export async function checkCase(backend: Backend, c: GraphCase): Promise<CaseResult> {
  const started = performance.now()
  let worstOfBound = 0
  let worstRelative = 0
  let problem: string | undefined
  try {
    problem = await graphMismatch(backend, c, CONFORMANCE_TOLERANCE, (_, got, want) => {
      const e = tensorErrors(got, want, CONFORMANCE_TOLERANCE)
      worstOfBound = Math.max(worstOfBound, e.ofBound)
      worstRelative = Math.max(worstRelative, e.relative)
    })
  } catch (e) {
    problem = `${c.name}: ${(e as Error).message.split('\n')[0]}`
  }
  const seconds = (performance.now() - started) / 1000
  return { name: c.name, ok: problem === undefined, worstOfBound, worstRelative, problem, seconds }
}

/** Every case forward and backward on WebGPU; `report` gets each result as it comes. */
export async function runConformance(
  options: { readonly small: boolean; readonly limit?: number },
  report: (r: CaseResult) => void,
): Promise<CaseResult[]> {
  const backend = await webgpuBackend({ powerPreference: 'high-performance' })
  const results: CaseResult[] = []
  try {
    for (const c of conformanceCases(options.small).slice(0, options.limit))
      for (const graphCase of [
        forwardCase(c, `${c.name}: forward`),
        backwardCase(c, `${c.name}: backward`),
      ]) {
        const r = await checkCase(backend, graphCase)
        results.push(r)
        report(r)
      }
  } finally {
    backend.dispose()
  }
  return results
}
