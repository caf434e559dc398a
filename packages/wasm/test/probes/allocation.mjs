// Heap growth per recurrent step of kernel calls, in a clean Node isolate (run by
// test/allocation.test.ts against the built package: node --expose-gc allocation.mjs THREADS).
import { Arena, apply, createKernels, input } from '../../dist/index.js'

const threads = Number(process.argv[2])
const memory = new WebAssembly.Memory({ initial: 1, maximum: 1024, shared: true })
const arena = new Arena(memory)
const kernels = await createKernels({ memory, arena, threads, parallelFlops: 0 })
const [B, H] = [4, 32]
const h = arena.allocFloats(B * H)
const W = arena.allocFloats(H * 4 * H)
const gates = arena.allocFloats(B * 4 * H)
const dW = arena.allocFloats(H * 4 * H)
const packed = kernels.packB(H, 4 * H, W, arena.allocBytes(kernels.packedBytes(H, 4 * H)))
const tail = kernels.fused([apply('mul', apply('sigmoid', input(0)), apply('tanh', input(1)))])
const ins = [
  { offset: gates, ld: 4 * H },
  { offset: gates + H * 4, ld: 4 * H },
]
const outs = [{ offset: h, ld: H }]
// a grid large enough (64 x 128) that, on two threads, the fused call is shared with the helper
const [R, C] = [64, 128]
const wide = arena.allocFloats(R * C)
const wideOut = arena.allocFloats(R * C)
const wideTail = kernels.fused([apply('tanh', input(0))])
const accumulate = { accumulate: true }
const transA = { transA: true, accumulate: true }
const step = () => {
  kernels.repack(packed, W)
  kernels.gemmPacked(B, h, packed, gates) // split between the threads when THREADS = 2
  tail.run(B, H, ins, outs)
  wideTail.split(R, C, wide, C, wideOut, C)
  kernels.sigmoid(B * H, h, h)
  kernels.gemm(H, 4 * H, B, h, gates, dW, transA)
  kernels.gemmPacked(B, h, packed, gates, accumulate)
}

// warm up for the optimising compiler, then the least growth of three rounds: one-off engine
// allocations land in some rounds, an allocation per step in all of them
// enough steps that the measurement's own fixed overhead (~1.7 KB) stays well under 1 byte a step
const steps = 5000
for (let i = 0; i < 4 * steps; i++) step()
let least = Number.POSITIVE_INFINITY
for (let round = 0; round < 3; round++) {
  globalThis.gc()
  const before = process.memoryUsage().heapUsed
  for (let i = 0; i < steps; i++) step()
  least = Math.min(least, (process.memoryUsage().heapUsed - before) / steps)
}
kernels.dispose()
console.log(JSON.stringify({ bytesPerStep: least }))
