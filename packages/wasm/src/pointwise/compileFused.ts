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
}

const shared = (memory: WebAssembly.Memory) =>
  typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer

/** Compiles and instantiates a fused kernel on `memory`, reusing one already in `cache`. */
export const compileFused = (
  memory: WebAssembly.Memory,
  outputs: readonly Expr[],
  cache: Map<string, FusedKernel>,
): FusedKernel => {
  const key = exprKey(outputs)
  const cached = cache.get(key)
  if (cached) return cached
  const mod = new ModuleBuilder({ shared: shared(memory) })
  emitFusedKernel(mod, 'fused', outputs)
  const instance = new WebAssembly.Instance(new WebAssembly.Module(mod.encode() as BufferSource), {
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
