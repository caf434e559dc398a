import { ByteWriter } from './encoding.js'
import { op, type SimdOp, simd, type ValType, valType } from './opcodes.js'

/** A local variable (or parameter) of a function under construction. */
export interface Local {
  readonly index: number
  readonly type: ValType
  readonly name: string
}

const SIMD_PREFIX = 0xfd

/** log2 of the natural alignment of each memory access width, in bytes. */
const alignOf = { 4: 2, 8: 3, 16: 4 } as const

/**
 * Builds one function body instruction by instruction. Helpers cover the structured control
 * flow the kernels need (counted loops, if/else); everything else is a direct opcode.
 */
export class FunctionBuilder {
  readonly params: readonly Local[]
  private readonly locals: Local[] = []
  private readonly code = new ByteWriter()
  private depth = 0

  constructor(
    readonly name: string,
    readonly index: number,
    params: ReadonlyArray<readonly [string, ValType]>,
    readonly results: readonly ValType[],
  ) {
    this.params = params.map(([localName, type], i) => ({ index: i, type, name: localName }))
  }

  param(name: string): Local {
    const found = this.params.find((p) => p.name === name)
    if (!found) throw new Error(`function ${this.name}: no parameter named '${name}'`)
    return found
  }

  /** Several parameters at once, in the order named. */
  paramList<const T extends readonly string[]>(...names: T): { -readonly [K in keyof T]: Local } {
    return names.map((name) => this.param(name)) as { -readonly [K in keyof T]: Local }
  }

  local(type: ValType, name = `t${this.locals.length}`): Local {
    const local = { index: this.params.length + this.locals.length, type, name }
    this.locals.push(local)
    return local
  }

  // ---- variables and constants ----
  get(local: Local): this {
    this.code.u8(op.localGet).uleb(local.index)
    return this
  }
  set(local: Local): this {
    this.code.u8(op.localSet).uleb(local.index)
    return this
  }
  tee(local: Local): this {
    this.code.u8(op.localTee).uleb(local.index)
    return this
  }
  i32(value: number): this {
    this.code.u8(op.i32Const).sleb(value)
    return this
  }
  f32(value: number): this {
    this.code.u8(op.f32Const).f32(value)
    return this
  }
  /** A v128 constant with the same float32 in all four lanes. */
  f32x4(value: number): this {
    this.code.u8(SIMD_PREFIX).uleb(simd.const)
    for (let lane = 0; lane < 4; lane++) this.code.f32(value)
    return this
  }
  /** A v128 constant with the same int32 in all four lanes. */
  i32x4(value: number): this {
    this.code.u8(SIMD_PREFIX).uleb(simd.const)
    const bytes = new DataView(new ArrayBuffer(4))
    bytes.setInt32(0, value, true)
    for (let lane = 0; lane < 4; lane++) for (let b = 0; b < 4; b++) this.code.u8(bytes.getUint8(b))
    return this
  }

  /** local += step (an i32 immediate or another local). */
  increment(local: Local, step: number | Local): this {
    this.get(local)
    if (typeof step === 'number') this.i32(step)
    else this.get(step)
    return this.op('i32Add').set(local)
  }

  // ---- instructions ----
  op(name: keyof typeof op): this {
    this.code.u8(op[name])
    return this
  }
  simd(name: SimdOp): this {
    this.code.u8(SIMD_PREFIX).uleb(simd[name])
    return this
  }
  /** A lane-indexed SIMD instruction (extract_lane). */
  simdLane(name: SimdOp, lane: number): this {
    this.simd(name)
    this.code.u8(lane)
    return this
  }
  /**
   * Memory access: `offset` is a constant byte offset added to the address on the stack.
   * 'splat32' repeats one float in all lanes; 'zero64' loads two floats into the low lanes.
   */
  load(kind: 'i32' | 'f32' | 'v128' | 'splat32' | 'zero64', offset = 0): this {
    if (kind === 'i32') this.code.u8(op.i32Load).uleb(alignOf[4])
    else if (kind === 'f32') this.code.u8(op.f32Load).uleb(alignOf[4])
    else if (kind === 'v128') this.code.u8(SIMD_PREFIX).uleb(simd.load).uleb(alignOf[16])
    else if (kind === 'zero64') this.code.u8(SIMD_PREFIX).uleb(simd.load64Zero).uleb(alignOf[8])
    else this.code.u8(SIMD_PREFIX).uleb(simd.load32Splat).uleb(alignOf[4])
    this.code.uleb(offset)
    return this
  }
  store(kind: 'i32' | 'f32' | 'v128', offset = 0): this {
    if (kind === 'i32') this.code.u8(op.i32Store).uleb(alignOf[4])
    else if (kind === 'f32') this.code.u8(op.f32Store).uleb(alignOf[4])
    else this.code.u8(SIMD_PREFIX).uleb(simd.store).uleb(alignOf[16])
    this.code.uleb(offset)
    return this
  }
  /** Stores one lane of a v128: [address, vector] on the stack. */
  storeLane(lane: number, offset = 0): this {
    this.code.u8(SIMD_PREFIX).uleb(simd.store32Lane).uleb(alignOf[4]).uleb(offset).u8(lane)
    return this
  }
  call(functionIndex: number): this {
    this.code.u8(op.call).uleb(functionIndex)
    return this
  }

  // ---- structured control flow ----
  /** if (condition on the stack) { then } else { otherwise } */
  ifElse(then: () => void, otherwise?: () => void): this {
    this.code.u8(op.if).u8(0x40)
    this.depth++
    then()
    if (otherwise) {
      this.code.u8(op.else)
      otherwise()
    }
    this.code.u8(op.end)
    this.depth--
    return this
  }

  /**
   * for (counter = from; counter < to; counter += step) body — signed comparison; `from` and `to`
   * emit one i32 each. The body must not branch out of the loop.
   */
  forLoop(counter: Local, from: () => void, to: () => void, step: number | Local, body: () => void): this {
    from()
    this.set(counter)
    this.code.u8(op.block).u8(0x40)
    this.code.u8(op.loop).u8(0x40)
    this.depth += 2
    this.get(counter)
    to()
    this.op('i32GeS')
    this.code.u8(op.brIf).uleb(1)
    body()
    this.increment(counter, step)
    this.code.u8(op.br).uleb(0)
    this.code.u8(op.end).u8(op.end)
    this.depth -= 2
    return this
  }

  /** The encoded body: local declarations then code. */
  encodeBody(): ByteWriter {
    if (this.depth !== 0) throw new Error(`function ${this.name}: unbalanced blocks`)
    const body = new ByteWriter()
    const runs: Array<[number, ValType]> = []
    for (const local of this.locals) {
      const last = runs[runs.length - 1]
      if (last && last[1] === local.type) last[0]++
      else runs.push([1, local.type])
    }
    body.uleb(runs.length)
    for (const [count, type] of runs) body.uleb(count).u8(valType[type])
    body.raw(this.code.finish())
    body.u8(op.end)
    return body
  }
}
