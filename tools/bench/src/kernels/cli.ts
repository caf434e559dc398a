import { configByName } from '../configs.js'
import { formatKernelRows, runKernelBenchmarks } from './index.js'

/** node dist/kernels/cli.js [config...]  — prints the kernel table (default: medium and large). */
const names = process.argv.slice(2)
const rows = await runKernelBenchmarks(names.length ? { configs: names.map(configByName) } : {})
console.log(`Kernels, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}\n`)
console.log(formatKernelRows(rows))
