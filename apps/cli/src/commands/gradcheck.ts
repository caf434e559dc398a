import { gradcheck as check, mseLoss, withLoss } from '@cellgraph/autodiff'
import { sequenceGraph, type Tensor, tensor } from '@cellgraph/graph'
import { Rng } from '@cellgraph/train'
import { integer, number, parse, UsageError } from '../args.js'
import { leafDims, readCellFile } from '../inputs.js'

export const gradcheckHelp = `Usage: cellgraph gradcheck CELL.json [options]

Checks the cell's derived backward pass (BPTT through a sequence) against central finite
differences in float64, on random inputs, and prints the worst relative error per parameter.
Exit status 1 when the worst error exceeds the tolerance.

Options:
  --steps N             sequence length (default 4)
  --batch N             batch size (default 2)
  --seed N              seed for the random inputs and parameters (default 1)
  --tolerance X         the largest relative error accepted (default 1e-5)
  -h, --help            show this help
`

const options = {
  steps: { type: 'string', default: '4' },
  batch: { type: 'string', default: '2' },
  seed: { type: 'string', default: '1' },
  tolerance: { type: 'string', default: '1e-5' },
} as const

export async function gradcheck(argv: readonly string[], write: (line: string) => void): Promise<number> {
  const { values: v, positionals } = parse(argv, options, 1)
  const [path] = positionals
  if (!path) throw new UsageError('gradcheck needs a cell JSON file: cellgraph gradcheck cell.json')
  // Gradient checks run in float64 on the interpreter: small sizes are the point.
  const steps = integer('steps', v.steps, 1, 1000)
  const batch = integer('batch', v.batch, 1, 1000)
  const tolerance = number('tolerance', v.tolerance, 0)
  const rng = new Rng(integer('seed', v.seed, 0))
  const { cell } = readCellFile(path)
  // The loss: mean squared error of the output sequence against random targets.
  const graph = withLoss(sequenceGraph([cell]), ({ y }, b) =>
    mseLoss(y!, b.leaf('input', 'target', { name: 'target', type: y!.type })),
  )
  const inputs: Record<string, Tensor> = {}
  for (const [name, dims] of Object.entries(leafDims(graph, steps, batch))) {
    const t = tensor(dims)
    for (let i = 0; i < t.data.length; i++) t.data[i] = rng.uniform(-1, 1)
    inputs[name] = t
  }
  const report = check(graph, inputs, { loss: 'loss' })
  const entries = Object.entries(report)
  write(
    `Gradient check of cell '${cell.name}' (input ${cell.sizes.input}, hidden ${cell.sizes.hidden}) over ${steps} steps, batch ${batch}:`,
  )
  for (const [name, r] of entries)
    write(
      `  ${name.padEnd(16)} worst relative error ${r.error.toExponential(2)}  (analytic ${r.analytic.toPrecision(6)}, numeric ${r.numeric.toPrecision(6)})`,
    )
  const worst = entries.reduce((w, [name, r]) => (r.error > w.error ? { name, error: r.error } : w), {
    name: '',
    error: 0,
  })
  const ok = worst.error <= tolerance
  write(
    `Worst relative error: ${worst.error.toExponential(2)} (${worst.name}) — ${ok ? 'passed' : `FAILED (tolerance ${tolerance})`}`,
  )
  return ok ? 0 : 1
}
