/// <reference types="@webgpu/types" />
import { InputError } from '@cellgraph/graph'
import { paramWords } from './kernel.js'

/** Buffer usage and map-mode bits as the WebGPU spec fixes them (Node has no GPUBufferUsage global). */
export const usage = { mapRead: 1, copySrc: 4, copyDst: 8, uniform: 64, storage: 128 } as const
const mapModeRead = 1
const computeStage = 4

export interface GpuStats {
  /** Command buffers submitted to the queue so far (runs and reads). */
  readonly submissions: number
  readonly liveBuffers: number
  readonly liveBytes: number
}

/**
 * One device's shared machinery: tracked buffer allocation (so tests can prove memory stays
 * flat), counted submissions, a pipeline cache keyed by WGSL, and the one bind-group layout every
 * kernel uses (arena storage buffer + dynamic-offset uniform record).
 */
export class GpuRuntime {
  private submitted = 0
  private readonly live = new Map<GPUBuffer, number>()
  private readonly pipelines = new Map<string, GPUComputePipeline>()
  private firstError: string | undefined
  readonly bindGroupLayout: GPUBindGroupLayout
  private readonly pipelineLayout: GPUPipelineLayout

  constructor(readonly device: GPUDevice) {
    this.bindGroupLayout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: computeStage, buffer: { type: 'storage' } },
        {
          binding: 1,
          visibility: computeStage,
          buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: paramWords * 4 },
        },
      ],
    })
    this.pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [this.bindGroupLayout] })
    device.addEventListener('uncapturederror', (e) => {
      this.firstError ??= (e as GPUUncapturedErrorEvent).error.message
    })
    device.lost.then((info) => {
      if (info.reason !== 'destroyed') this.firstError ??= `the device was lost: ${info.message}`
    })
  }

  private destroyed = false

  /** Throws the first device error seen since the runtime started (validation, out of memory). */
  check(): void {
    if (this.destroyed) throw new InputError('this WebGPU backend was disposed')
    if (this.firstError) throw new Error(`WebGPU device error: ${this.firstError}`)
  }

  stats(): GpuStats {
    let bytes = 0
    for (const size of this.live.values()) bytes += size
    return { submissions: this.submitted, liveBuffers: this.live.size, liveBytes: bytes }
  }

  createBuffer(size: number, bufferUsage: number, label: string): GPUBuffer {
    this.check()
    const limit = this.device.limits.maxBufferSize
    if (size > limit)
      throw new Error(`${label} needs ${size} bytes, more than this device's maxBufferSize ${limit}`)
    const buffer = this.device.createBuffer({
      size: Math.max(4, Math.ceil(size / 4) * 4),
      usage: bufferUsage,
      label,
    })
    this.live.set(buffer, buffer.size)
    return buffer
  }

  destroyBuffer(buffer: GPUBuffer): void {
    if (this.live.delete(buffer)) buffer.destroy()
  }

  submit(commands: GPUCommandBuffer): void {
    this.device.queue.submit([commands])
    this.submitted++
  }

  pipeline(wgsl: string): GPUComputePipeline {
    let p = this.pipelines.get(wgsl)
    if (!p) {
      p = this.device.createComputePipeline({
        layout: this.pipelineLayout,
        compute: { module: this.device.createShaderModule({ code: wgsl }), entryPoint: 'main' },
      })
      this.pipelines.set(wgsl, p)
    }
    return p
  }

  /** Copies `count` floats from a buffer to the host: one submission and a wait. */
  async readFloats(source: GPUBuffer, offsetFloats: number, count: number): Promise<Float32Array> {
    this.check()
    const staging = this.createBuffer(count * 4, usage.mapRead | usage.copyDst, 'read-back')
    try {
      const encoder = this.device.createCommandEncoder()
      encoder.copyBufferToBuffer(source, offsetFloats * 4, staging, 0, count * 4)
      this.submit(encoder.finish())
      await staging.mapAsync(mapModeRead)
      const out = new Float32Array(staging.getMappedRange().slice(0))
      staging.unmap()
      this.check()
      return out
    } finally {
      this.destroyBuffer(staging)
    }
  }

  /** Releases every buffer still alive and the device. */
  destroy(): void {
    for (const b of [...this.live.keys()]) this.destroyBuffer(b)
    this.pipelines.clear()
    this.device.destroy()
    this.destroyed = true
  }
}
