import { Arena, createKernelsSync, type Kernels, type PackedMatrix } from '@cellgraph/wasm'
import type { Backend } from '../backend.js'
import { cpuBackend } from './cpuBackend.js'
import type { CpuKernels } from './kernels.js'

/** Pages of 64 KiB the shared memory may grow to: 4 GiB, WebAssembly's limit. */
const MAX_PAGES = 65536

/**
 * The CPU backend with the WebAssembly SIMD matrix products of `@cellgraph/wasm`. All its tensors
 * and buffers live in one shared WebAssembly.Memory: views of a SharedArrayBuffer stay valid when
 * the memory grows, so nothing is re-taken. Where SharedArrayBuffer is unavailable (a browser page
 * without cross-origin isolation) it says so; the plain `cpuBackend()` works everywhere.
 */
export function wasmCpuBackend(): Backend {
  if (typeof SharedArrayBuffer === 'undefined')
    throw new Error(
      'the cpu-wasm backend needs SharedArrayBuffer (cross-origin isolation in browsers); use cpuBackend()',
    )
  const memory = new WebAssembly.Memory({ initial: 256, maximum: MAX_PAGES, shared: true })
  const arena = new Arena(memory)
  const kernels = createKernelsSync({ memory, arena })
  // Every SharedArrayBuffer object this memory has handed out: after a grow, memory.buffer is a new
  // object over the same bytes, and views taken before stay valid.
  const ours = new WeakSet<ArrayBufferLike>([memory.buffer])
  return cpuBackend({
    name: 'cpu-wasm',
    kernels: memoryKernels(kernels, arena, ours),
    allocate: (floats) => {
      const view = arena.f32(arena.allocFloats(Math.max(floats, 1)), floats)
      ours.add(view.buffer)
      return view
    },
  })
}

/** The kernels addressed as (array, offset), for arrays that are views of the kernels' memory. */
/** A loop-invariant B, packed into panels once per run before the time loop. */
interface Packed {
  readonly k: number
  readonly n: number
  readonly transB: boolean
  readonly offset: number
  matrix?: PackedMatrix
}

function memoryKernels(kernels: Kernels, arena: Arena, ours: WeakSet<ArrayBufferLike>): CpuKernels {
  const at = (what: string, array: Float32Array, offset: number) => {
    if (!ours.has(array.buffer))
      throw new Error(`${what} is not a tensor of this cpu-wasm backend (upload it with this backend)`)
    return array.byteOffset + offset * 4
  }
  return {
    gemm(m, n, k, a, ao, b, bo, transposeB, c, co, accumulate) {
      kernels.gemm(m, n, k, at('gemm: A', a, ao), at('gemm: B', b, bo), at('gemm: C', c, co), {
        transB: transposeB,
        accumulate,
      })
    },
    gemmTN(rows, m, n, a, ao, b, bo, c, co, accumulate) {
      kernels.gemm(m, n, rows, at('gemmTN: A', a, ao), at('gemmTN: B', b, bo), at('gemmTN: C', c, co), {
        transA: true,
        accumulate,
      })
    },
    pointwise: {
      compile: (outputs) => kernels.fused(outputs).raw,
      base: (array) => at('a fused kernel operand', array, 0),
    },
    packing: {
      preparePacked: (k, n, transB): Packed => ({
        k,
        n,
        transB,
        offset: arena.allocBytes(kernels.packedBytes(k, n)),
      }),
      packB(handle, b, bo) {
        const p = handle as Packed
        const from = at('packB: B', b, bo)
        if (p.matrix) kernels.repack(p.matrix, from, { transB: p.transB })
        else p.matrix = kernels.packB(p.k, p.n, from, p.offset, { transB: p.transB })
      },
      gemmPacked(m, a, ao, handle, c, co) {
        kernels.gemmPacked(m, at('gemm: A', a, ao), (handle as Packed).matrix!, at('gemm: C', c, co))
      },
    },
  }
}
