#!/usr/bin/env node
import { fuzzSurface } from './run.js'
import { surfaces } from './surfaces.js'

/**
 * The long fuzz run: `pnpm --filter @cellgraph/fuzz fuzz [--runs N] [--seed S]` (default 10⁴ cases
 * per surface). Prints a Markdown table of what each surface did with its damaged inputs.
 */
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`)
  return at >= 0 ? Number(process.argv[at + 1]) : fallback
}
const runs = arg('runs', 10_000)
const seed = arg('seed', 1)
const started = Date.now()
console.log('| surface | cases | accepted | rejected | slowest case | most frequent rejections |')
console.log('| --- | ---: | ---: | ---: | ---: | --- |')
for (const surface of surfaces) {
  const r = fuzzSurface(surface, runs, seed)
  const top = r.rejections
    .slice(0, 3)
    .map(([message, n]) => `\`${message.replaceAll('|', '\\|')}\` (${n})`)
    .join('; ')
  console.log(
    `| ${r.surface} | ${r.cases.toLocaleString('en')} | ${r.accepted.toLocaleString('en')} | ${(r.cases - r.accepted).toLocaleString('en')} | ${r.slowestMs.toFixed(0)} ms | ${top} |`,
  )
}
console.log(
  `\n${surfaces.length} surfaces × ${runs} cases, seed ${seed}, in ${((Date.now() - started) / 1000).toFixed(0)} s.`,
)
