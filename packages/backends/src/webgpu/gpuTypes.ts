/**
 * The WebGPU types this package's public signatures name, declared for consumers whose TypeScript
 * has no WebGPU declarations (a Node.js project without @webgpu/types, or a DOM project whose
 * library has none). Empty interfaces merge with @webgpu/types wherever a project has it.
 */
declare global {
  interface GPU {}
  interface GPUDevice {}
  interface GPUBuffer {}
  interface GPUBindGroup {}
  interface GPUBindGroupLayout {}
  interface GPUCommandBuffer {}
  interface GPUCommandEncoder {}
  interface GPUComputePipeline {}
}

export {}
