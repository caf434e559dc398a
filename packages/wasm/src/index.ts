import './webAssemblyTypes.js'

export { Arena } from './arena.js'
export { type ArrayKernels, arrayKernels } from './arrayKernels.js'
export { ByteWriter } from './emit/encoding.js'
export { FunctionBuilder, type Local } from './emit/functionBuilder.js'
export { type MemoryImport, ModuleBuilder } from './emit/moduleBuilder.js'
export type { SimdOp, ValType } from './emit/opcodes.js'
export { defaultTiling, type Tiling } from './gemm/tiling.js'
export { buildKernelModule, type KernelExports } from './kernelModule.js'
export {
  createKernels,
  createKernelsSync,
  DEFAULT_PARALLEL_FLOPS,
  type GemmOptions,
  type Kernels,
  type KernelsOptions,
  type PackedMatrix,
  type RangeKernel,
  type RowReduceKernel,
} from './kernels.js'
export type { FusedKernel, Operand } from './pointwise/compileFused.js'
export { apply, constant, type Expr, input, rowInput } from './pointwise/expr.js'
export { emitFusedKernel } from './pointwise/fusedKernel.js'
export { type PointwiseOp, pointwiseOps } from './pointwise/ops.js'
export { emitRowReduce, type RowReduction } from './pointwise/rowReduce.js'
export { EXP_FLUSH_BELOW, emitExp, emitSigmoid, emitTanh } from './pointwise/transcendental.js'
export { STALL_TICK_MS } from './threads/helperThread.js'
