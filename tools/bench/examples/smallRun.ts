import { configByName, formatTable, runBench, selectEngines } from '@cellgraph/bench'

// cellgraph's reference interpreter at the small size, inference only, from a program
const { rows, failures } = await runBench({
  configs: [configByName('small')],
  modes: ['infer'],
  engines: selectEngines(['cellgraph-reference']),
  otherCells: ['gru'],
  otherCellConfigs: ['small'],
  plan: () => ({ warmup: 1, reps: 3 }),
  scaledSteps: 8,
  budgetMs: 10_000,
  log: () => {},
})
console.log(formatTable(rows))

export { failures, rows }
