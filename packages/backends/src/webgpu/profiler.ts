/// <reference types="@webgpu/types" />
import type { KernelKind } from './kernel.js'
import { type GpuRuntime, usage } from './runtime.js'

/** GPU time of one kind of kernel over the profiled runs. */
export interface KernelKindTime {
  readonly kind: KernelKind
  readonly dispatches: number
  /** Sum of its passes' GPU time (end − beginning timestamps), in milliseconds. */
  readonly ms: number
}

/** Where the GPU time of the runs between `beginProfile()` and `endProfile()` went, by kernel kind. */
export interface GpuProfile {
  readonly runs: number
  readonly dispatches: number
  /** The sum over every kind: GPU time inside kernels, without the gaps between them. */
  readonly gpuMs: number
  /** Largest first. */
  readonly kinds: readonly KernelKindTime[]
}

/** What the profiler needs of a dispatch (a plan's `Dispatch`): its kind, named by its builder. */
export interface ProfiledDispatch {
  readonly kind: KernelKind
  readonly pipeline: GPUComputePipeline
  readonly offset: number
  readonly workgroups: readonly [number, number, number]
}

/** The spec's largest query set; each dispatch takes two queries (the beginning and end of its pass). */
const mapModeRead = 1
const queriesPerSet = 4096
const dispatchesPerSet = queriesPerSet / 2

interface PendingRun {
  readonly kinds: readonly KernelKind[]
  readonly sets: readonly GPUQuerySet[]
  readonly resolved: GPUBuffer
  readonly staging: GPUBuffer
}

/**
 * Per-kernel GPU timing with timestamp queries, for profiling runs only: while profiling, a run
 * is encoded one compute pass per dispatch, each pass writing a timestamp at its beginning and
 * end. That costs a pass per dispatch, so normal runs never go through here; the sum it reports
 * is the time inside kernels, and the shares by kind say where a normal run's time goes.
 */
export class TimestampProfiler {
  private pending: PendingRun[] = []

  constructor(private readonly runtime: GpuRuntime) {}

  /** Records `dispatches`, one timestamped pass each, and the copy of their timestamps to the host. */
  encode(encoder: GPUCommandEncoder, bindGroup: GPUBindGroup, dispatches: readonly ProfiledDispatch[]): void {
    const { device } = this.runtime
    const setCount = Math.max(1, Math.ceil(dispatches.length / dispatchesPerSet))
    const sets = Array.from({ length: setCount }, (_, k) =>
      device.createQuerySet({
        type: 'timestamp',
        count: 2 * Math.min(dispatchesPerSet, dispatches.length - k * dispatchesPerSet) || 2,
      }),
    )
    dispatches.forEach((d, k) => {
      const pass = encoder.beginComputePass({
        timestampWrites: {
          querySet: sets[Math.floor(k / dispatchesPerSet)]!,
          beginningOfPassWriteIndex: 2 * (k % dispatchesPerSet),
          endOfPassWriteIndex: 2 * (k % dispatchesPerSet) + 1,
        },
      })
      pass.setPipeline(d.pipeline)
      pass.setBindGroup(0, bindGroup, [d.offset])
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2])
      pass.end()
      this.runtime.encodedPass(1)
    })
    const setBytes = queriesPerSet * 8 // a multiple of 256, the resolve offset alignment
    const bytes = setCount * setBytes
    const resolved = this.runtime.createBuffer(
      bytes,
      usage.queryResolve | usage.copySrc,
      'profile timestamps',
    )
    const staging = this.runtime.createBuffer(bytes, usage.mapRead | usage.copyDst, 'profile read-back')
    sets.forEach((set, k) => encoder.resolveQuerySet(set, 0, set.count, resolved, k * setBytes))
    encoder.copyBufferToBuffer(resolved, 0, staging, 0, bytes)
    this.pending.push({ kinds: dispatches.map((d) => d.kind), sets, resolved, staging })
  }

  /** Waits for the profiled runs and sums their passes' times by kernel kind; forgets them. */
  async collect(): Promise<GpuProfile> {
    this.runtime.flush()
    const runs = this.pending
    this.pending = []
    const byKind = new Map<KernelKind, { dispatches: number; ns: number }>()
    let dispatches = 0
    try {
      for (const run of runs) {
        await run.staging.mapAsync(mapModeRead)
        const stamps = new BigUint64Array(run.staging.getMappedRange().slice(0))
        run.staging.unmap()
        run.kinds.forEach((kind, k) => {
          const at = Math.floor(k / dispatchesPerSet) * queriesPerSet + 2 * (k % dispatchesPerSet)
          const begin = stamps[at]!
          const end = stamps[at + 1]!
          // A driver may report an end before a beginning (reset, or clocks per queue): count 0.
          const ns = end > begin ? Number(end - begin) : 0
          const entry = byKind.get(kind) ?? { dispatches: 0, ns: 0 }
          entry.dispatches++
          entry.ns += ns
          byKind.set(kind, entry)
        })
        dispatches += run.kinds.length
      }
    } finally {
      for (const run of runs) {
        for (const set of run.sets) set.destroy()
        this.runtime.destroyBuffer(run.resolved)
        this.runtime.destroyBuffer(run.staging)
      }
    }
    this.runtime.check()
    const kinds = [...byKind]
      .map(([kind, e]) => ({ kind, dispatches: e.dispatches, ms: e.ns / 1e6 }))
      .sort((a, b) => b.ms - a.ms || a.kind.localeCompare(b.kind))
    return { runs: runs.length, dispatches, gpuMs: kinds.reduce((s, k) => s + k.ms, 0), kinds }
  }

  /** Drops profiled runs not yet collected (the runtime is going away). */
  discard(): void {
    for (const run of this.pending) for (const set of run.sets) set.destroy()
    this.pending = []
  }
}
