import { Arena, createKernels } from '@cellgraph/wasm'
import type { BenchConfig } from '../configs.js'
import { type KernelRow, timeCall } from './row.js'
import { lstmProducts } from './shapes.js'

/** A rough speed to size the timing batches (GFLOP/s). */
const GUESS_GFLOPS = 20

/**
 * GFLOP/s of the WebAssembly matrix product on the LSTM's products, B packed beforehand (as the
 * CPU backend does once per weight update), on 1 and 2 threads. A separate row times packing.
 */
export const benchGemm = async (
  configs: readonly BenchConfig[],
  threads: ReadonlyArray<1 | 2>,
): Promise<KernelRow[]> => {
  const rows: KernelRow[] = []
  for (const t of threads) {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 32768, shared: true })
    const arena = new Arena(memory)
    const kernels = await createKernels({ memory, arena, threads: t })
    try {
      for (const config of configs) {
        for (const s of lstmProducts(config)) {
          const a = arena.allocFloats(s.M * s.K)
          const b = arena.allocFloats(s.K * s.N)
          const c = arena.allocFloats(s.M * s.N)
          const packedAt = arena.allocBytes(kernels.packedBytes(s.K, s.N))
          arena.f32(a, s.M * s.K).fill(0.25)
          arena.f32(b, s.K * s.N).fill(0.5)
          const flops = 2 * s.M * s.N * s.K
          const packed = kernels.packB(s.K, s.N, b, packedAt, { transB: s.transB })
          const { ms, bestMs } = timeCall(
            () => kernels.gemmPacked(s.M, a, packed, c, { transA: s.transA }),
            flops / GUESS_GFLOPS / 1e6,
          )
          const shape = `${config.name}: ${s.M}x${s.N}x${s.K}`
          rows.push({ kernel: `gemm ${s.name}`, shape, threads: t, ms, bestMs, gflops: flops / ms / 1e6 })
          const pack = timeCall(() => kernels.repack(packed, b, { transB: s.transB }), (s.K * s.N) / 1e6)
          rows.push({
            kernel: `packB ${s.transB ? 'Bᵀ' : 'B'}`,
            shape: `${config.name}: ${s.K}x${s.N}`,
            threads: t,
            ...pack,
            gflops: null,
            elementsPerNs: (s.K * s.N) / pack.ms / 1e6,
          })
        }
      }
    } finally {
      kernels.dispose()
    }
  }
  return rows
}
