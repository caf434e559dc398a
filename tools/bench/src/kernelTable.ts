import type { BenchConfig } from './configs.js'

/** What src/kernels (the WebAssembly kernels' micro-benchmarks) exports. */
interface KernelBenchmarks {
  runKernelBenchmarks(options: { configs?: readonly BenchConfig[] }): Promise<unknown[]>
  formatKernelRows(rows: readonly unknown[]): string
}

/**
 * The kernel micro-benchmark table (matrix products at the LSTM's shapes on 1 and 2 threads,
 * pointwise throughput), loaded by path so that the bench builds whether or not the kernels'
 * benchmarks are present.
 */
export async function kernelTable(chosen: readonly BenchConfig[]): Promise<string> {
  let kernels: KernelBenchmarks
  try {
    kernels = (await import(new URL('./kernels/index.js', import.meta.url).href)) as KernelBenchmarks
  } catch (error) {
    return `kernel micro-benchmarks not available: ${(error as Error).message.split('\n')[0]}`
  }
  const configs = chosen.filter((c) => c.name !== 'small')
  return kernels.formatKernelRows(await kernels.runKernelBenchmarks(configs.length ? { configs } : {}))
}
