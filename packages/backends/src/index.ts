import './webgpu/gpuTypes.js'

export type { Backend, CompileOptions, DeviceTensor, Executable, HostTensor, RunOptions } from './backend.js'
export {
  type BackendName,
  backendNames,
  type CompiledGraph,
  type CompileRequest,
  compile,
  isBackendName,
  namedBackends,
  type OpenedBackend,
  openBackend,
  sharedBackend,
} from './compile.js'
export { type CpuBackendOptions, cpuBackend } from './cpu/cpuBackend.js'
export { type CpuKernels, jsKernels } from './cpu/kernels.js'
export { CpuTensor } from './cpu/tensor.js'
export { defaultCpuBackend, type WasmCpuBackendOptions, wasmCpuBackend } from './cpu/wasmBackend.js'
export { type HostRunner, hostRunner } from './hostRun.js'
export { checkDeviceTensor, checkRunInputs } from './inputs.js'
export { type Pass, passes, printProgram, runPasses } from './passes/pipeline.js'
export type { Pack, PackBlock, Program } from './passes/program.js'
export { type BodyKernelOptions, bodyKernels } from './plan/bodyKernels.js'
export { type ConcatStore, concatStores } from './plan/concatStores.js'
export {
  type FusedKernel,
  fusePointwise,
  MAX_FUSED_MEMBERS,
  MAX_FUSED_OPERANDS,
  printFusion,
} from './plan/fusion.js'
export type {
  Access,
  Arg,
  CallStep,
  FusedStep,
  Instruction,
  KernelPlan,
  LevelPlan,
  LoopStep,
  Operand,
  Step,
} from './plan/kernelPlan.js'
export { type CarryPlace, type LoopPlaces, loopPlaces } from './plan/loopPlaces.js'
export { planProgram } from './plan/planner.js'
export { printPlan } from './plan/print.js'
export { fuseProductHeads, type HeadProduct } from './plan/productHeads.js'
export { fuseProductTails, type ProductTail } from './plan/productTails.js'
export { groupRows, type RowGroup } from './plan/rowGroups.js'
export { referenceBackend } from './reference/referenceBackend.js'
export * from './webgpu/index.js'
