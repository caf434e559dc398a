#!/usr/bin/env node
/**
 * The device side of the GPU kit, bundled as .gpu/kit.mjs: the steps of device.sh that need
 * cellgraph (the adapter, conformance, the sweep list, the summary). Each writes under the
 * output folder as it goes, so a step cut off by its timeout leaves what it had.
 */
import { appendFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describeAdapter, formatAdapter } from './adapter.js'
import { runConformance } from './conformance.js'
import { summarize } from './summary.js'
import { productSweep } from './sweep.js'

const usage = `Usage: kit.mjs COMMAND OUT
  adapter OUT              the adapter's name, features and limits (adapter.txt, adapter.json)
  conformance OUT [--small] [--limit N]
                           every built-in and layer_norm_lstm, forward and BPTT, against float64
                           (--small: the suite's sizes only; --limit: the first N models)
  sweep-list               the product-kernel settings to sweep, one "name setting" a line
  summary OUT              summary.md from the files in OUT`

async function main(args: string[]) {
  const [command, out = '.'] = args
  if (command === 'adapter') {
    const report = await describeAdapter()
    writeFileSync(join(out, 'adapter.json'), `${JSON.stringify(report, null, 1)}\n`)
    console.log(formatAdapter(report))
  } else if (command === 'conformance') {
    const log = join(out, 'conformance.txt')
    writeFileSync(log, '')
    const limit = args.indexOf('--limit')
    const options = {
      small: args.includes('--small'),
      limit: limit < 0 ? undefined : Number(args[limit + 1]),
    }
    const results = await runConformance(options, (r) => {
      const line =
        `${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: worst error ${(100 * r.worstOfBound).toFixed(1)}% of the tolerance, ` +
        `${r.worstRelative.toExponential(2)} of the output's scale (${r.seconds.toFixed(1)} s)${r.problem ? `\n     ${r.problem}` : ''}`
      appendFileSync(log, `${line}\n`)
      console.log(line)
    })
    writeFileSync(join(out, 'conformance.json'), `${JSON.stringify(results, null, 1)}\n`)
    const failed = results.filter((r) => !r.ok).length
    console.log(`${results.length - failed} of ${results.length} cases within tolerance`)
    if (failed) process.exitCode = 1
  } else if (command === 'sweep-list') {
    for (const { name, setting } of productSweep) console.log(`${name} ${setting}`)
  } else if (command === 'summary') {
    const text = summarize(out)
    writeFileSync(join(out, 'summary.md'), `${text}\n`)
    console.log(text)
  } else {
    console.log(usage)
    if (command !== '--help') process.exitCode = 2
  }
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(e.message)
  process.exitCode = 1
})
