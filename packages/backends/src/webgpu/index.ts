export {
  createWebGpuContext,
  type DeviceOptions,
  type WebGpuContext,
  WebGpuUnavailableError,
} from './device.js'
export type { KernelKind } from './kernel.js'
export type { MatmulTuning } from './matmul.js'
export type { GpuProfile, KernelKindTime } from './profiler.js'
export { type GpuStats, type GpuWork, gpuWorkBetween } from './runtime.js'
export {
  type WebGpuBackend,
  type WebGpuBackendOptions,
  webgpuBackend,
  webgpuOrFallback,
} from './webgpuBackend.js'
