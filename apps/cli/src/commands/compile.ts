import { grad, mseLoss, withLoss } from '@cellgraph/autodiff'
import { cpuBackend } from '@cellgraph/backends'
import { sequenceGraph } from '@cellgraph/graph'
import { parse, UsageError } from '../args.js'
import { leafDims, readCellFile } from '../inputs.js'

export const compileHelp = `Usage: cellgraph compile CELL.json [options]

Compiles a cell for the CPU backend over a whole sequence — forward, or with --backward the
training graph (forward plus the derived BPTT backward pass) — and with --print shows the graph
after each compiler pass and the generated kernels.

Options:
  --print               print the graph after each pass and the generated code
  --backward            compile the training graph (loss and gradients) instead of the forward pass
  -h, --help            show this help
`

const options = {
  print: { type: 'boolean', default: false },
  backward: { type: 'boolean', default: false },
} as const

export async function compile(argv: readonly string[], write: (line: string) => void): Promise<number> {
  const { values: v, positionals } = parse(argv, options, 1)
  const [path] = positionals
  if (!path) throw new UsageError('compile needs a cell JSON file: cellgraph compile cell.json --print')
  const { cell } = readCellFile(path)
  let graph = sequenceGraph([cell])
  if (v.backward)
    graph = grad(
      withLoss(graph, ({ y }, b) =>
        mseLoss(y!, b.leaf('input', 'target', { name: 'target', type: y!.type })),
      ),
      { loss: 'loss' },
    )
  const stages: string[] = []
  const trace = (stage: string, text: string) => {
    stages.push(stage)
    if (v.print) write(`── ${stage} ${'─'.repeat(Math.max(0, 70 - stage.length))}\n${text}`)
  }
  const backend = cpuBackend()
  const exe = await backend.compile(graph, { trace })
  // Code is generated per batch size and length; run once at a small size so the kernels print.
  const inputs = Object.fromEntries(
    Object.entries(leafDims(graph, 2, 1)).map(([name, dims]) => [
      name,
      backend.upload({ dims, data: new Float64Array(dims.reduce((n, d) => n * d, 1)) }),
    ]),
  )
  await exe.run(inputs)
  write(
    `Compiled '${cell.name}' (${v.backward ? 'forward + backward' : 'forward'}): ${stages.length} stages${v.print ? '' : ' (add --print to see them)'}: ${[...new Set(stages)].join(', ')}`,
  )
  exe.dispose()
  return 0
}
