import { type BenchConfig, configs } from '../configs.js'
import { benchGemm } from './gemmBench.js'
import { benchPointwise } from './pointwiseBench.js'
import type { KernelRow } from './row.js'

export { formatKernelRows, type KernelRow } from './row.js'
export { type GemmShape, lstmProducts } from './shapes.js'

/** All kernel micro-benchmarks: the LSTM's products on 1 and 2 threads, then pointwise throughput. */
export const runKernelBenchmarks = async (
  options: { configs?: readonly BenchConfig[]; threads?: ReadonlyArray<1 | 2> } = {},
): Promise<KernelRow[]> => {
  const chosen = options.configs ?? configs.filter((c) => c.name !== 'small')
  return [...(await benchGemm(chosen, options.threads ?? [1, 2])), ...benchPointwise()]
}
