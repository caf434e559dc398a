import { readFileSync } from 'node:fs'
import { lstm, sequenceGraph } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { runPasses } from '../src/passes/pipeline.js'
import { planProgram } from '../src/plan/planner.js'
import { printPlan } from '../src/plan/print.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('kernel plan', () => {
  it("the README's printed LSTM plan is the planner's", () => {
    const plan = planProgram(runPasses(sequenceGraph([lstm({ input: 2, hidden: 3 })])))
    const text = printPlan(plan)
    expect(readme).toContain(`\`\`\`\n${text}\n\`\`\``)
  })
})
