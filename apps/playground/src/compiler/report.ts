import { grad } from '@cellgraph/autodiff'
import { type Backend, planProgram, printPlan, runPasses } from '@cellgraph/backends'
import { type Cell, printGraph } from '@cellgraph/graph'
import { lossModel, randomInputs } from './lossModel.js'

/** One stage of the compiler's work, as text. */
export interface Stage {
  readonly name: string
  readonly text: string
}

/** What the compiler does with a cell's training graph, every stage printed. */
export interface CompilerReport {
  readonly forward: string
  readonly backward: string
  /** The program before the passes ('input'), then after each pass. */
  readonly passes: readonly Stage[]
  /** The kernel plan every target renders. */
  readonly plan: string
  /** The generated code for the backend, per batch size and sequence length it ran at. */
  readonly kernels: readonly Stage[]
  readonly backend: string
}

/** Small sizes: the code shown is the same at any size, and a run makes the backend generate it. */
const SIZES = { batch: 2, steps: 3, seed: 1 }

export async function compilerReport(cell: Cell, backend: Backend): Promise<CompilerReport> {
  const forward = lossModel(cell)
  const backward = grad(forward, { loss: 'loss' })
  const passes: Stage[] = []
  const program = runPasses(backward, { trace: (name, text) => passes.push({ name, text }) })
  const kernels: Stage[] = []
  const executable = await backend.compile(backward, {
    trace: (name, text) => {
      if (/code|kernels/.test(name)) kernels.push({ name, text })
    },
  })
  const uploaded = Object.fromEntries(
    Object.entries(randomInputs(backward, SIZES)).map(([name, t]) => [name, backend.upload(t)]),
  )
  try {
    const outputs = await executable.run(uploaded)
    for (const t of Object.values(outputs)) t.dispose()
  } finally {
    for (const t of Object.values(uploaded)) t.dispose()
    executable.dispose()
  }
  return {
    forward: printGraph(forward, `${cell.name} (forward, with loss)`),
    backward: printGraph(backward, `${cell.name} (forward and backward)`),
    passes,
    plan: printPlan(planProgram(program)),
    kernels,
    backend: backend.name,
  }
}
