import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { builtinCells } from '@cellgraph/graph'
import { addingParameterCount, hiddenForBudget, runAdding } from '@cellgraph/train'
import { CliError, choice, integer, number, parse, UsageError } from '../args.js'
import { backendNames, openBackend } from '../backend.js'
import { logPlot } from '../plot.js'
import { duration } from '../progress.js'

export const experimentHelp = `Usage: cellgraph experiment long-range [options]

The adding problem at several lags (sequence lengths) for each cell, at equal parameter budgets,
several seeds each: does the cell carry a value across the lag? "Solved" means test MSE ≤ 0.01;
always predicting the mean scores about 0.167. Writes results.json, results.md (a table of every
run) and plot.svg (test MSE against lag) into --out. Runs are ordered lag by lag, so when the
time budget runs out, what is missing is the longest lags, and the table says so.

Options:
  --cells LIST          comma-separated cells (default: every built-in: ${Object.keys(builtinCells).join(', ')})
  --lags LIST           comma-separated sequence lengths (default 10,20,40)
  --seeds N             seeds per cell and lag (default 3)
  --steps N             training steps per run (default 1500)
  --batch N             sequences per step (default 16)
  --lr X                Adam's learning rate (default 0.01)
  --budget N            learned parameters per model; each cell's hidden size is chosen to come
                        closest (default: the LSTM's count at hidden 16, 1297)
  --minutes N           time budget: no run starts after it (default 120)
  --backend NAME        ${backendNames.join(', ')} (default cpu)
  --out DIR             where to write the results (default results/long-range)
  --replot              rewrite results.md and plot.svg from --out's results.json without training
  -h, --help            show this help
`

const options = {
  cells: { type: 'string', default: Object.keys(builtinCells).join(',') },
  lags: { type: 'string', default: '10,20,40' },
  seeds: { type: 'string', default: '3' },
  steps: { type: 'string', default: '1500' },
  batch: { type: 'string', default: '16' },
  lr: { type: 'string', default: '0.01' },
  budget: { type: 'string' },
  minutes: { type: 'string', default: '120' },
  backend: { type: 'string', default: 'cpu' },
  out: { type: 'string', default: 'results/long-range' },
  replot: { type: 'boolean', default: false },
} as const

interface Row {
  cell: string
  hidden: number
  parameters: number
  lag: number
  seed: number
  testMse: number | null
  trainLoss: number | null
  seconds: number | null
}

const SOLVED = 0.01

export async function experiment(argv: readonly string[], write: (line: string) => void): Promise<number> {
  const { values: v, positionals } = parse(argv, options, 1)
  if (positionals[0] !== 'long-range')
    throw new UsageError(`unknown experiment '${positionals[0] ?? ''}'; the experiment is 'long-range'`)
  if (v.replot) {
    const path = join(v.out, 'results.json')
    let saved: { settings: Settings; rows: Row[] }
    try {
      saved = JSON.parse(readFileSync(path, 'utf8'))
    } catch (e) {
      throw new CliError(`--replot: cannot read '${path}': ${(e as Error).message}`)
    }
    writeReport(v.out, saved.settings, saved.rows)
    write(`Rewrote ${join(v.out, 'results.md')} and plot.svg from results.json.`)
    return 0
  }
  const cells = v.cells.split(',').map((c) => c.trim())
  for (const c of cells)
    if (!Object.hasOwn(builtinCells, c))
      throw new CliError(`--cells: unknown cell '${c}'; built-ins: ${Object.keys(builtinCells).join(', ')}`)
  const lags = v.lags.split(',').map((l) => integer('lags', l.trim(), 2))
  const seeds = integer('seeds', v.seeds)
  const steps = integer('steps', v.steps)
  const batch = integer('batch', v.batch)
  const lr = number('lr', v.lr, 0)
  const budget = v.budget ? integer('budget', v.budget) : addingParameterCount(builtinCells.lstm!, 16)
  const minutes = number('minutes', v.minutes, 0)
  const backend = await openBackend(choice('backend', v.backend, backendNames))
  const hidden = Object.fromEntries(cells.map((c) => [c, hiddenForBudget(builtinCells[c]!, budget)]))
  write(
    `Adding problem, ${steps} steps × batch ${batch} per run, Adam lr ${lr}, budget ${budget} parameters:`,
  )
  for (const c of cells)
    write(
      `  ${c.padEnd(14)} hidden ${hidden[c]}, ${addingParameterCount(builtinCells[c]!, hidden[c]!)} parameters`,
    )
  const started = Date.now()
  const rows: Row[] = []
  for (const lag of lags)
    for (let seed = 1; seed <= seeds; seed++)
      for (const c of cells) {
        const definition = builtinCells[c]!
        const row: Row = {
          cell: c,
          hidden: hidden[c]!,
          parameters: addingParameterCount(definition, hidden[c]!),
          lag,
          seed,
          testMse: null,
          trainLoss: null,
          seconds: null,
        }
        if ((Date.now() - started) / 60_000 < minutes) {
          const r = await runAdding(backend, { definition, hidden: hidden[c]!, lag, seed, steps, batch, lr })
          Object.assign(row, { testMse: r.testMse, trainLoss: r.trainLoss, seconds: r.seconds })
          write(
            `  lag ${String(lag).padStart(3)} seed ${seed} ${c.padEnd(14)} test MSE ${r.testMse.toFixed(4)}${r.testMse <= SOLVED ? ' solved' : ''}  (${duration(r.seconds)})`,
          )
        }
        rows.push(row)
      }
  const elapsed = (Date.now() - started) / 1000
  mkdirSync(v.out, { recursive: true })
  const settings = {
    steps,
    batch,
    lr,
    budget,
    seeds,
    lags,
    cells,
    minutes,
    backend: backend.name,
    elapsedSeconds: elapsed,
  }
  writeFileSync(join(v.out, 'results.json'), `${JSON.stringify({ settings, rows }, null, 2)}\n`)
  writeReport(v.out, settings, rows)
  write(`Done in ${duration(elapsed)}. Wrote ${join(v.out, 'results.md')}, results.json and plot.svg.`)
  backend.dispose()
  return 0
}

interface Settings {
  readonly budget: number
  readonly seeds: number
  readonly lags: readonly number[]
  readonly cells: readonly string[]
  readonly [key: string]: unknown
}

/** Writes the table and the plot of error against lag. */
function writeReport(out: string, settings: Settings, rows: readonly Row[]): void {
  const { cells, lags } = settings
  writeFileSync(join(out, 'results.md'), table(rows, cells, lags, settings))
  const done = rows.flatMap((r) => (r.testMse === null ? [] : [r.testMse]))
  const floor = 10 ** Math.min(-3, Math.floor(Math.log10(Math.max(Math.min(...done), 1e-12))))
  writeFileSync(
    join(out, 'plot.svg'),
    logPlot({
      title: `Adding problem: test MSE against lag (${settings.budget} parameters, ${settings.seeds} seeds)`,
      xLabel: 'lag (sequence length)',
      yLabel: 'test MSE (log scale)',
      xs: lags,
      series: cells.map((c) => ({
        name: c,
        points: lags.map((lag) =>
          rows.filter((r) => r.cell === c && r.lag === lag && r.testMse !== null).map((r) => r.testMse!),
        ),
      })),
      rules: [
        { y: 1 / 6, label: 'chance (predict the mean) ≈ 0.167' },
        { y: SOLVED, label: 'solved: MSE ≤ 0.01' },
      ],
      yRange: [floor, 1],
    }),
  )
}

function table(
  rows: readonly Row[],
  cells: readonly string[],
  lags: readonly number[],
  settings: Settings,
): string {
  const lines = [
    '# Long-range experiment: the adding problem',
    '',
    `Generated by \`cellgraph experiment long-range\` with ${JSON.stringify(settings)}.`,
    '',
    'Test MSE per seed on 512 fresh test sequences (predicting the mean scores ≈ 0.167; "solved" is ≤ 0.01).',
    'A dash is a run the time budget did not reach.',
    '',
    `| cell | hidden | parameters | ${lags.map((l) => `lag ${l}`).join(' | ')} |`,
    `| --- | --- | --- | ${lags.map(() => '---').join(' | ')} |`,
  ]
  for (const c of cells) {
    const own = rows.filter((r) => r.cell === c)
    const cellsText = lags.map((lag) => {
      const runs = own.filter((r) => r.lag === lag)
      const done = runs.filter((r) => r.testMse !== null)
      const solved = done.filter((r) => r.testMse! <= SOLVED).length
      const values = runs.map((r) => (r.testMse === null ? '–' : r.testMse.toFixed(4))).join(', ')
      return `${values} (${solved}/${runs.length} solved)`
    })
    lines.push(`| ${c} | ${own[0]!.hidden} | ${own[0]!.parameters} | ${cellsText.join(' | ')} |`)
  }
  return `${lines.join('\n')}\n`
}
