import {
  Arena,
  createKernels,
  createKernelsSync,
  DEFAULT_PARALLEL_FLOPS,
  type GemmOptions,
  type Kernels,
  type PackedMatrix,
  STALL_TICK_MS,
} from '@cellgraph/wasm'
import type { Backend } from '../backend.js'
import { cpuBackend, type InstanceRun } from './cpuBackend.js'
import { copyFinite } from './finite.js'
import type { CpuKernels } from './kernels.js'
import { ThreadChoice } from './threadChoice.js'
import { compileScan } from './wasmScan.js'

/** Pages of 64 KiB the shared memory may grow to: 4 GiB, WebAssembly's limit. */
const MAX_PAGES = 65536

/**
 * The fastest CPU backend: `wasmCpuBackend()` (WebAssembly SIMD products and pointwise kernels,
 * two threads). It needs SharedArrayBuffer; without it the error names the plain JavaScript
 * backend, `cpuBackend()` (`'cpu-js'`), which runs everywhere.
 */
export const defaultCpuBackend = (): Backend => wasmCpuBackend()

export interface WasmCpuBackendOptions {
  /**
   * 2 (default): large products may be split with a helper thread (a worker over the same shared
   * memory, started by the first `compile`); the code for each batch size and sequence length
   * falls back to one thread for a while when the helper stalls it (`ThreadChoice`). 1:
   * everything runs on the calling thread.
   */
  readonly threads?: 1 | 2
  /** Fail, naming the output, when an output holds NaN or ±Infinity. Default true. */
  readonly checkFinite?: boolean
}

/**
 * The CPU backend with the WebAssembly SIMD kernels of `@cellgraph/wasm`: matrix products and
 * fused pointwise kernels. All its tensors and buffers live in one shared WebAssembly.Memory:
 * views of a SharedArrayBuffer stay valid when the memory grows, so nothing is re-taken. Where
 * SharedArrayBuffer is unavailable (a browser page without cross-origin isolation) it says so;
 * `cpuBackend()` (plain JavaScript) works everywhere.
 */
export function wasmCpuBackend(options: WasmCpuBackendOptions = {}): Backend {
  if (typeof SharedArrayBuffer === 'undefined')
    throw new Error(
      'the cpu-wasm backend needs SharedArrayBuffer, which this environment lacks (browsers provide it to cross-origin isolated pages); use the plain JavaScript backend: cpuBackend() or compile(graph, { backend: "cpu-js" })',
    )
  const threads = options.threads ?? 2
  const memory = new WebAssembly.Memory({ initial: 256, maximum: MAX_PAGES, shared: true })
  const arena = new Arena(memory)
  // One thread until the first compile has started the helper (starting it is asynchronous);
  // then the two-thread kernels, each run with or without the helper as its instance's
  // ThreadChoice picks.
  const single = createKernelsSync({ memory, arena })
  let threaded: Kernels | undefined
  const kernels = { current: single }
  let helperStarted: Promise<void> | undefined
  let disposed = false
  const startHelper = () => {
    helperStarted ??= createKernels({ memory, arena, threads: 2 }).then((k) => {
      if (disposed)
        k.dispose() // disposed while the helper was starting
      else kernels.current = threaded = k
    })
    return helperStarted
  }
  // Every SharedArrayBuffer object this memory has handed out: after a grow, memory.buffer is a new
  // object over the same bytes, and views taken before stay valid.
  const ours = new WeakSet<ArrayBufferLike>([memory.buffer])
  // Each instance (the code for one batch size and sequence length) judges its own runs: whether
  // the helper stalled them.
  const timedByThreads = (run: InstanceRun): InstanceRun => {
    const choice = new ThreadChoice()
    return (args) => {
      const helper = threaded
      if (!helper) return run(args)
      const withHelper = choice.next()
      helper.helperEnabled = withHelper
      const stallsBefore = helper.helperStallTicks
      const start = performance.now()
      run(args)
      const stalledMs = (helper.helperStallTicks - stallsBefore) * STALL_TICK_MS
      choice.record(withHelper, performance.now() - start, stalledMs)
    }
  }
  const backend = cpuBackend({
    name: 'cpu-wasm',
    checkFinite: options.checkFinite,
    kernels: memoryKernels(kernels, arena, ours),
    allocate: (floats) => {
      const view = arena.f32(arena.allocFloats(Math.max(floats, 1)), floats)
      ours.add(view.buffer)
      return view
    },
    wrapInstance: threads === 2 ? timedByThreads : undefined,
  })
  return {
    ...backend,
    async compile(graph, compileOptions) {
      if (threads === 2) await startHelper()
      return backend.compile(graph, compileOptions)
    },
    dispose() {
      disposed = true
      threaded?.dispose()
      backend.dispose()
    },
  }
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

// The products' layouts, shared so that no call allocates an options object.
const AB: GemmOptions = { transB: false, accumulate: false }
const AB_ACC: GemmOptions = { transB: false, accumulate: true }
const AB_T: GemmOptions = { transB: true, accumulate: false }
const AB_T_ACC: GemmOptions = { transB: true, accumulate: true }
const ATB: GemmOptions = { transA: true, accumulate: false }
const ATB_ACC: GemmOptions = { transA: true, accumulate: true }
const TRANSPOSED_B: GemmOptions = { transB: true }
const PLAIN_B: GemmOptions = { transB: false }
const TRANSPOSED_A: GemmOptions = { transA: true }
const PLAIN_A: GemmOptions = { transA: false }

function memoryKernels(
  active: { readonly current: Kernels },
  arena: Arena,
  ours: WeakSet<ArrayBufferLike>,
): CpuKernels {
  const at = (what: string, array: Float32Array, offset: number) => {
    if (!ours.has(array.buffer))
      throw new Error(`${what} is not a tensor of this cpu-wasm backend (upload it with this backend)`)
    return array.byteOffset + offset * 4
  }
  return {
    gemm(m, n, k, a, ao, b, bo, transposeB, c, co, accumulate) {
      const options = transposeB ? (accumulate ? AB_T_ACC : AB_T) : accumulate ? AB_ACC : AB
      active.current.gemm(m, n, k, at('gemm: A', a, ao), at('gemm: B', b, bo), at('gemm: C', c, co), options)
    },
    gemmTN(rows, m, n, a, ao, b, bo, c, co, accumulate) {
      const options = accumulate ? ATB_ACC : ATB
      active.current.gemm(
        m,
        n,
        rows,
        at('gemmTN: A', a, ao),
        at('gemmTN: B', b, bo),
        at('gemmTN: C', c, co),
        options,
      )
    },
    pointwise: {
      compile: (outputs) => {
        const kernel = active.current.fused(outputs)
        return { raw: kernel.raw, call: kernel.split }
      },
      base: (array) => at('a fused kernel operand', array, 0),
      // unchecked: generated code passes addresses of its own buffers
      rowReduce: {
        sum: active.current.exports.rowSum,
        mean: active.current.exports.rowMean,
        max: active.current.exports.rowMax,
      },
      scans: {
        compile: (plan, named, fused) =>
          compileScan(plan, {
            memory: active.current.memory,
            kernels: active.current.exports,
            fused,
            resolve: (name) => {
              const value = named[name]
              return typeof value === 'number' ? value : (value as Packed).offset
            },
            panelWidth: active.current.tiling.nr,
          }),
        // the products the kernels split between threads stay in JavaScript loops
        maxProductFlops: DEFAULT_PARALLEL_FLOPS,
      },
    },
    // Arrays of another memory (a tensor of another cpu backend) take the JavaScript pass.
    copyFinite(from, to) {
      if (!ours.has(from.buffer) || (to && !ours.has(to.buffer))) return copyFinite(from, to)
      const k = active.current
      return to
        ? k.copyFinite(from.length, from.byteOffset, to.byteOffset)
        : k.allFinite(from.length, from.byteOffset)
    },
    packing: {
      preparePacked: (k, n, transB): Packed => ({
        k,
        n,
        transB,
        offset: arena.allocBytes(active.current.packedBytes(k, n)),
      }),
      packB(handle, b, bo) {
        const p = handle as Packed
        const from = at('packB: B', b, bo)
        const layout = p.transB ? TRANSPOSED_B : PLAIN_B
        if (p.matrix) active.current.repack(p.matrix, from, layout)
        else p.matrix = active.current.packB(p.k, p.n, from, p.offset, layout)
      },
      gemmPacked(m, a, ao, handle, c, co, transposeA) {
        const from = at('gemm: A', a, ao)
        const to = at('gemm: C', c, co)
        active.current.gemmPacked(
          m,
          from,
          (handle as Packed).matrix!,
          to,
          transposeA ? TRANSPOSED_A : PLAIN_A,
        )
      },
    },
  }
}
