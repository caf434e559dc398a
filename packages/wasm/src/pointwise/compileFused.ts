import { ModuleBuilder } from '../emit/moduleBuilder.js'
import { type Expr, exprKey, inputKinds } from './expr.js'
import { emitFusedKernel } from './fusedKernel.js'

/** An operand of a fused kernel: byte offset and row stride in floats (0 repeats one row). */
export interface Operand {
  readonly offset: number
  readonly ld: number
}

export interface FusedKernel {
  readonly inputs: number
  readonly outputs: number
  /** Runs over a rows x cols grid. */
  run(rows: number, cols: number, inputs: readonly Operand[], outputs: readonly Operand[]): void
  /** The WebAssembly function: (rows, cols, in0, ld0, ..., out0, ldo0, ...). */
  readonly raw: (...args: number[]) => void
  /**
   * The same call as `raw`, unchecked, with its rows (or, for one row, its columns) shared with
   * the helper thread when the kernels have one and the grid has at least SPLIT_FUSED_ELEMENTS;
   * `raw` itself otherwise.
   */
  readonly split: (...args: number[]) => void
}

/** Smallest grid (rows·cols) of a fused kernel call worth sharing with the helper thread. */
export const SPLIT_FUSED_ELEMENTS = 4096

/** What splitting fused kernel calls needs from the kernels' helper thread. */
export interface FusedThreads {
  /** Whether calls are shared with the helper now. */
  readonly active: boolean
  /**
   * Loads a compiled kernel on the helper with its operands' flags (1: read once per row, 2: an
   * output); returns its id there (undefined: too many operands).
   */
  load(binary: Uint8Array, flags: readonly number[]): number | undefined
  /**
   * Runs `call` (rows, cols, pointer and stride per operand) of kernel `id` on both threads;
   * `chunk` (as long as `call`) holds this thread's chunk arguments.
   */
  run(
    id: number,
    raw: (...args: number[]) => void,
    call: readonly number[],
    flags: readonly number[],
    chunk: number[],
  ): void
}

const shared = (memory: WebAssembly.Memory) =>
  typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer

/** Compiles and instantiates a fused kernel on `memory`, reusing one already in `cache`. */
export const compileFused = (
  memory: WebAssembly.Memory,
  outputs: readonly Expr[],
  cache: Map<string, FusedKernel>,
  threads?: FusedThreads,
): FusedKernel => {
  const key = exprKey(outputs)
  const cached = cache.get(key)
  if (cached) return cached
  const mod = new ModuleBuilder({ shared: shared(memory) })
  emitFusedKernel(mod, 'fused', outputs)
  const binary = mod.encode()
  const instance = new WebAssembly.Instance(new WebAssembly.Module(binary as BufferSource), {
    env: { memory },
  })
  const raw = instance.exports.fused as (...args: number[]) => void
  const kinds = inputKinds(outputs)
  const inputs = kinds.length
  let knownBytes = memory.buffer.byteLength
  // (rows, cols, pointer and stride per operand), reused so that a run allocates nothing
  const args: number[] = new Array(2 + 2 * (inputs + outputs.length)).fill(0)
  const setOperands = (what: string, list: readonly Operand[], first: number, rows: number, cols: number) => {
    for (let k = 0; k < list.length; k++) {
      const o = list[k]!
      // a row input is one float per row
      const width = first === 2 && kinds[k] === 'row' ? 1 : cols
      const end = o.offset + ((rows - 1) * o.ld + width) * 4
      // the memory only grows: re-read its size only when an operand seems to be past it
      if (end > knownBytes) knownBytes = memory.buffer.byteLength
      if (
        !Number.isInteger(o.offset) ||
        o.offset < 0 ||
        !Number.isInteger(o.ld) ||
        o.ld < 0 ||
        end > knownBytes
      ) {
        throw new RangeError(
          `fused kernel ${key}: ${what} ${k} (byte ${o.offset}, row stride ${o.ld}) is outside the memory`,
        )
      }
      args[first + 2 * k] = o.offset
      args[first + 2 * k + 1] = o.ld
    }
  }
  const kernel: FusedKernel = {
    inputs,
    outputs: outputs.length,
    raw,
    split: threads
      ? splitting(raw, binary, [...kinds.map((k) => (k === 'row' ? 1 : 0)), ...outputs.map(() => 2)], threads)
      : raw,
    run: (rows, cols, ins, outs) => {
      if (ins.length !== inputs || outs.length !== outputs.length) {
        throw new Error(
          `fused kernel ${key}: expects ${inputs} input(s) and ${outputs.length} output(s), got ${ins.length} and ${outs.length}`,
        )
      }
      if (rows <= 0 || cols <= 0) return
      args[0] = rows
      args[1] = cols
      setOperands('input', ins, 2, rows, cols)
      setOperands('output', outs, 2 + 2 * inputs, rows, cols)
      Reflect.apply(raw, undefined, args)
    },
  }
  cache.set(key, kernel)
  return kernel
}

/**
 * A function of the kernel's exact arity (so a call allocates nothing) that runs small grids as
 * `raw` and shares larger ones with the helper thread.
 */
function splitting(
  raw: (...args: number[]) => void,
  binary: Uint8Array,
  flags: readonly number[],
  threads: FusedThreads,
): (...args: number[]) => void {
  const id = threads.load(binary, flags)
  if (id === undefined) return raw
  const params = ['r', 'c', ...flags.flatMap((_, k) => [`p${k}`, `l${k}`])]
  const stores = params.map((p, i) => `call[${i}] = ${p}`).join('; ')
  const body = `return function split(${params.join(', ')}) {
  if (r * c < ${SPLIT_FUSED_ELEMENTS} || !threads.active) return raw(${params.join(', ')})
  ${stores}
  threads.run(id, raw, call, flags, chunk)
}`
  const call: number[] = new Array(params.length).fill(0)
  const chunk: number[] = new Array(params.length).fill(0)
  return new Function('raw', 'threads', 'id', 'call', 'flags', 'chunk', body)(
    raw,
    threads,
    id,
    call,
    flags,
    chunk,
  )
}
