/** Argument checks with one-line errors naming the call and the argument. */
export interface Checks {
  /** A [rows, cols] block of floats at byte `offset`, rows `ld` floats apart, inside the memory. */
  range(what: string, offset: number, rows: number, cols: number, ld: number): void
  size(what: string, name: string, value: number): void
  stride(what: string, name: string, ld: number, min: number): void
}

export function memoryChecks(memory: WebAssembly.Memory): Checks {
  /** The memory only grows: re-read its size only when an operand seems to be past it. */
  let memoryBytes = memory.buffer.byteLength
  return {
    range(what, offset, rows, cols, ld) {
      if (!Number.isInteger(offset) || offset < 0)
        throw new RangeError(`${what}: byte offset ${offset} is invalid`)
      if (rows === 0 || cols === 0) return
      const end = offset + ((rows - 1) * ld + cols) * 4
      if (end > memoryBytes) memoryBytes = memory.buffer.byteLength
      if (end > memoryBytes) {
        throw new RangeError(
          `${what}: ${rows}x${cols} floats (row stride ${ld}) at byte ${offset} end at ${end}, past the memory's ${memoryBytes} bytes`,
        )
      }
    },
    size(what, name, value) {
      if (!Number.isInteger(value) || value < 0)
        throw new RangeError(`${what}: ${name} = ${value} is not a size`)
    },
    stride(what, name, ld, min) {
      if (!Number.isInteger(ld) || ld < min)
        throw new RangeError(`${what}: ${name} = ${ld}, must be an integer >= ${min}`)
    },
  }
}
