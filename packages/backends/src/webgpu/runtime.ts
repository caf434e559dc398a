/// <reference types="@webgpu/types" />
import { InputError } from '@cellgraph/graph'
import { paramWords } from './kernel.js'
import { defaultMatmulOptions, type MatmulOptions } from './matmul.js'
import { type GpuProfile, TimestampProfiler } from './profiler.js'

/** Buffer usage and map-mode bits as the WebGPU spec fixes them (Node has no GPUBufferUsage global). */
export const usage = {
  mapRead: 1,
  copySrc: 4,
  copyDst: 8,
  uniform: 64,
  storage: 128,
  queryResolve: 512,
} as const
const mapModeRead = 1
const computeStage = 4

/** What calls cost the device: counts since the backend opened, or between two `stats()`. */
export interface GpuWork {
  /** Command buffers submitted to the queue (runs and reads). */
  readonly submissions: number
  readonly passes: number
  readonly dispatches: number
  /** Host-to-device writes (`queue.writeBuffer`): uploads, tensor writes, a new plan's records. */
  readonly writes: number
  /** Device-to-host read-backs (`mapAsync`): one per `read()`, none inside a run. */
  readonly readBacks: number
}

export interface GpuStats extends GpuWork {
  readonly liveBuffers: number
  readonly liveBytes: number
}

const workKinds = ['submissions', 'passes', 'dispatches', 'writes', 'readBacks'] as const

/** What the calls between two `stats()` cost the device. */
export function gpuWorkBetween(before: GpuWork, after: GpuWork): GpuWork {
  return Object.fromEntries(workKinds.map((k) => [k, after[k] - before[k]])) as unknown as GpuWork
}

/**
 * One device's shared machinery: tracked buffer allocation (so tests can prove memory stays
 * flat), counted submissions, a pipeline cache keyed by WGSL, and the one bind-group layout every
 * kernel uses (arena storage buffer + dynamic-offset uniform record).
 */
export class GpuRuntime {
  private submitted = 0
  /** A run's commands, not yet submitted: the next read adds its copy and submits them together. */
  private pending: GPUCommandEncoder | undefined
  private passes = 0
  private dispatches = 0
  private writes = 0
  private readBacks = 0
  private readonly live = new Map<GPUBuffer, number>()
  private readonly pipelines = new Map<string, GPUComputePipeline>()
  /** Set between `beginProfile()` and `endProfile()`: runs are then encoded with timestamps. */
  profiler: TimestampProfiler | undefined
  private firstError: string | undefined
  readonly bindGroupLayout: GPUBindGroupLayout
  private readonly pipelineLayout: GPUPipelineLayout

  /**
   * @param matmul how matrix products become kernels on this device (its subgroup support and
   * any tuning the backend was given).
   */
  constructor(
    readonly device: GPUDevice,
    readonly matmul: MatmulOptions = defaultMatmulOptions,
  ) {
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
    return {
      submissions: this.submitted,
      passes: this.passes,
      dispatches: this.dispatches,
      writes: this.writes,
      readBacks: this.readBacks,
      liveBuffers: this.live.size,
      liveBytes: bytes,
    }
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
    if (!this.live.has(buffer)) return
    this.flush() // the pending run may use it
    this.live.delete(buffer)
    buffer.destroy()
  }

  /**
   * The encoder a run records into. Its commands are submitted with the next read, so a run and
   * the read of its result are one submission; anything that must come after them (a write, a
   * buffer destroyed, the next run) submits them first.
   */
  runEncoder(): GPUCommandEncoder {
    this.flush()
    this.pending = this.device.createCommandEncoder()
    return this.pending
  }

  /** Submits the pending run, if any. */
  flush(): void {
    const pending = this.pending
    if (!pending) return
    this.pending = undefined
    this.submit(pending.finish())
  }

  /** Writes host values into a buffer, after every command recorded before it. (Plain types: the declaration files must not need @webgpu/types.) */
  writeBuffer(
    buffer: GPUBuffer,
    offsetBytes: number,
    data: ArrayBufferView<ArrayBuffer> | ArrayBuffer,
  ): void {
    this.flush()
    this.device.queue.writeBuffer(buffer, offsetBytes, data)
    this.writes++
  }

  /** Counts a compute pass of `dispatches` dispatches (see `stats`). */
  encodedPass(dispatches: number): void {
    this.passes++
    this.dispatches += dispatches
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

  /** Copies `count` floats from a buffer to the host: one submission (with the pending run's commands) and a wait. */
  async readFloats(source: GPUBuffer, offsetFloats: number, count: number): Promise<Float32Array> {
    this.check()
    const staging = this.createBuffer(count * 4, usage.mapRead | usage.copyDst, 'read-back')
    try {
      const encoder = this.pending ?? this.device.createCommandEncoder()
      this.pending = undefined
      encoder.copyBufferToBuffer(source, offsetFloats * 4, staging, 0, count * 4)
      this.submit(encoder.finish())
      this.readBacks++
      await staging.mapAsync(mapModeRead)
      const out = new Float32Array(staging.getMappedRange().slice(0))
      staging.unmap()
      this.check()
      return out
    } finally {
      this.destroyBuffer(staging)
    }
  }

  /** Whether the device can time kernels: the adapter offers `timestamp-query` (see device.ts). */
  get canProfile(): boolean {
    return this.device.features.has('timestamp-query')
  }

  /** Starts timing every dispatch of the runs that follow (one pass each); see TimestampProfiler. */
  beginProfile(adapterName: string): void {
    this.check()
    if (!this.canProfile)
      throw new Error(
        `per-kernel timing is not offered: the adapter ${adapterName} has no 'timestamp-query' feature`,
      )
    this.profiler ??= new TimestampProfiler(this)
  }

  /** Stops timing and returns where the GPU time of the profiled runs went. */
  async endProfile(): Promise<GpuProfile> {
    const profiler = this.profiler
    if (!profiler) throw new InputError('endProfile() without beginProfile()')
    this.profiler = undefined
    return profiler.collect()
  }

  /** Releases every buffer still alive and the device. */
  destroy(): void {
    this.pending = undefined // nothing can read its results any more
    this.profiler?.discard()
    this.profiler = undefined
    for (const b of [...this.live.keys()]) this.destroyBuffer(b)
    this.pipelines.clear()
    this.device.destroy()
    this.destroyed = true
  }
}
