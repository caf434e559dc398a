export type { Backend, CompileOptions, DeviceTensor, Executable, HostTensor, RunOptions } from './backend.js'
export { referenceBackend } from './reference/referenceBackend.js'
