/** One line of the kernel table. `gflops` is null for kernels measured in elements, not FLOPs. */
export interface KernelRow {
  readonly kernel: string
  readonly shape: string
  readonly threads: number
  /** Median milliseconds per call. */
  readonly ms: number
  /** Fastest batch's milliseconds per call (on a shared machine, the least disturbed). */
  readonly bestMs: number
  readonly gflops: number | null
  /** Float32 results per nanosecond (pointwise kernels). */
  readonly elementsPerNs?: number
}

/** Milliseconds per call over `batches` batches of `calls` calls (calls sized to ~20 ms): median and best. */
export const timeCall = (
  call: () => void,
  workEstimateMs: number,
  batches = 9,
): { ms: number; bestMs: number } => {
  const calls = Math.max(1, Math.ceil(20 / Math.max(workEstimateMs, 1e-4)))
  for (let i = 0; i < Math.min(calls, 3); i++) call()
  const times: number[] = []
  for (let b = 0; b < batches; b++) {
    const start = performance.now()
    for (let i = 0; i < calls; i++) call()
    times.push((performance.now() - start) / calls)
  }
  times.sort((x, y) => x - y)
  return { ms: times[batches >> 1]!, bestMs: times[0]! }
}

export const formatKernelRows = (rows: readonly KernelRow[]): string => {
  const lines = [
    '| kernel | shape | threads | median ms | GFLOP/s | best ms | best GFLOP/s | elements/ns |',
    '|---|---|---|---|---|---|---|---|',
  ]
  for (const r of rows) {
    const gflops = r.gflops === null ? '' : r.gflops.toFixed(1)
    const bestGflops = r.gflops === null ? '' : ((r.gflops * r.ms) / r.bestMs).toFixed(1)
    const elements = r.elementsPerNs === undefined ? '' : r.elementsPerNs.toFixed(2)
    const times = `${r.ms.toPrecision(3)} | ${gflops} | ${r.bestMs.toPrecision(3)} | ${bestGflops}`
    lines.push(`| ${r.kernel} | ${r.shape} | ${r.threads} | ${times} | ${elements} |`)
  }
  return lines.join('\n')
}
