import type { FunctionBuilder, Local } from '../emit/functionBuilder.js'
import type { ModuleBuilder } from '../emit/moduleBuilder.js'
import type { ValType } from '../emit/opcodes.js'
import { type Expr, inputKinds } from './expr.js'
import { pointwiseOps } from './ops.js'

/**
 * Emits one fused pointwise kernel over a [rows x cols] grid:
 *   name(rows, cols, in0, ld0, in1, ld1, ..., out0, ldo0, ...)
 * Operand k's element (r, c) is at in_k + (r*ld_k + c)*4 (pointers in bytes, row strides in
 * floats); ld 0 repeats one row over all rows (a bias). A `rowInput` operand is one float per row,
 * at in_k + r*ld_k*4, loaded once per row and repeated along it (ld 0: one scalar). The inner loop
 * runs f32x4 over columns; the last cols % 4 columns run the same code on splatted scalars. An
 * Expr object used twice is computed once.
 */
export const emitFusedKernel = (
  mod: ModuleBuilder,
  name: string,
  outputs: readonly Expr[],
): FunctionBuilder => {
  if (outputs.length === 0) throw new Error(`fused kernel '${name}': no outputs`)
  const kinds = inputKinds(outputs)
  const inputs = kinds.length
  const params: Array<[string, ValType]> = [
    ['rows', 'i32'],
    ['cols', 'i32'],
  ]
  for (let k = 0; k < inputs; k++) params.push([`in${k}`, 'i32'], [`ld${k}`, 'i32'])
  for (let k = 0; k < outputs.length; k++) params.push([`out${k}`, 'i32'], [`ldo${k}`, 'i32'])
  const fn = mod.function(name, params)
  const operands = [
    ...Array.from({ length: inputs }, (_, k) => [fn.param(`in${k}`), fn.param(`ld${k}`)] as const),
    ...outputs.map((_, k) => [fn.param(`out${k}`), fn.param(`ldo${k}`)] as const),
  ]
  const rowStep = operands.map((_, k) => fn.local('i32', `rowStep${k}`))
  const row = fn.local('i32', 'row')
  const col = fn.local('i32', 'col')
  const colBytes = fn.local('i32', 'colBytes')
  operands.forEach(([, ld], k) => fn.get(ld).i32(4).op('i32Mul').set(rowStep[k]!))

  const address = (k: number) => fn.get(operands[k]![0]).get(colBytes).op('i32Add')
  const rowValues = kinds.map((kind, k) => (kind === 'row' ? fn.local('v128', `rowValue${k}`) : undefined))
  const body = (vector: boolean) => {
    fn.get(col).i32(4).op('i32Mul').set(colBytes)
    const values = emitExprs(fn, outputs, (index) => {
      const rowValue = rowValues[index]
      if (rowValue) fn.get(rowValue)
      else address(index).load(vector ? 'v128' : 'splat32')
    })
    values.forEach((value, k) => {
      address(inputs + k).get(value)
      if (vector) fn.store('v128')
      else fn.storeLane(0)
    })
  }
  fn.forLoop(
    row,
    () => fn.i32(0),
    () => fn.get(fn.param('rows')),
    1,
    () => {
      rowValues.forEach((value, k) => {
        if (value) fn.get(operands[k]![0]).load('splat32').set(value)
      })
      fn.forLoop(
        col,
        () => fn.i32(0),
        () => fn.get(fn.param('cols')).i32(3).op('i32Sub'),
        4,
        () => body(true),
      )
      // col continues where the vector loop stopped
      fn.forLoop(
        col,
        () => fn.get(col),
        () => fn.get(fn.param('cols')),
        1,
        () => body(false),
      )
      operands.forEach(([pointer], k) => fn.increment(pointer, rowStep[k]!))
    },
  )
  return fn
}

/** Emits the expressions' code (each shared node once) and returns the locals holding the outputs. */
const emitExprs = (
  fn: FunctionBuilder,
  outputs: readonly Expr[],
  loadInput: (index: number) => void,
): Local[] => {
  const done = new Map<Expr, Local>()
  const value = (e: Expr): Local => {
    const known = done.get(e)
    if (known) return known
    const args = e.kind === 'op' ? e.args.map(value) : []
    const result = fn.local('v128')
    if (e.kind === 'input' || e.kind === 'rowInput') loadInput(e.index)
    else if (e.kind === 'const') fn.f32x4(e.value)
    else pointwiseOps[e.op].emit(fn, args)
    fn.set(result)
    done.set(e, result)
    return result
  }
  return outputs.map(value)
}
