/// <reference types="@webgpu/types" />
import { GraphError } from '@cellgraph/graph'
import type { Pack } from '../passes/program.js'
import type { KernelPlan } from '../plan/kernelPlan.js'
import type { KernelCall, KernelKind } from './kernel.js'
import { paramWords, recordAlignWords } from './kernel.js'
import { lowerGraph, type ProgramStep } from './lower.js'
import { type GpuRuntime, usage } from './runtime.js'
import { type StepSegment, segmentSteps } from './segments.js'
import type { WebGpuTensor } from './tensor.js'
import { ArenaLayout, fixed, type RunSizes, type ValueInfo, valueInfo } from './values.js'

const windowBytes = paramWords * 4

interface Dispatch {
  readonly kind: KernelKind
  readonly pipeline: GPUComputePipeline
  readonly offset: number
  readonly workgroups: readonly [number, number, number]
}

/**
 * Assembles a packed weight from column blocks of its source leaves, on the device: one segment
 * per pack (all packs are independent: one kernel), each thread finding its block from the row it
 * writes (block boundaries are literals).
 */
function packSegment(pack: Pack, inputs: ReadonlyMap<string, ValueInfo>, target: ValueInfo): StepSegment {
  const width = target.last
  let rows = 0
  const blocks = pack.blocks.map((b) => {
    const src = inputs.get(b.source)
    if (!src) throw new GraphError(`pack ${pack.leaf}: source '${b.source}' is not an input of the graph`)
    const block = { ...b, first: rows, from: src.place(0) }
    rows += b.rows
    return block
  })
  return {
    count: rows * width,
    body: (p) => {
      const dst = p.add(target.place(0))
      // rows past every earlier block's end are the last block's
      const copies = blocks.map((b, k) => {
        const read = `arena[${dst} + i] = arena[${p.add(b.from)} + (r - ${b.first}u) * ${b.sourceCols}u + ${b.start}u + c];`
        if (k === blocks.length - 1) return k === 0 ? `  ${read}` : ` else {\n    ${read}\n  }`
        return `${k === 0 ? '  ' : ' else '}if (r < ${b.first + b.rows}u) {\n    ${read}\n  }`
      })
      return `  let r = i / ${width}u;
  let c = i % ${width}u;
${copies.join('')}`
    },
  }
}

/** Every kernel call in order, each scan's body repeated once per step. */
function flatten(steps: readonly ProgramStep[]): KernelCall[] {
  return steps.flatMap((st) =>
    st.kind === 'kernel'
      ? [st.build(0)]
      : Array.from({ length: st.steps }, (_, s) => st.body.map((k) => k.build(s))).flat(),
  )
}

/**
 * A graph laid out for one batch size and sequence length: one arena buffer holding every value,
 * one uniform buffer holding every dispatch's parameters, written once. Running it is one command
 * buffer: copy inputs in, every dispatch of every timestep, copy outputs out.
 */
export class Plan {
  readonly dispatches: readonly Dispatch[]
  readonly inputs: ReadonlyMap<string, ValueInfo>
  readonly outputs: ReadonlyMap<string, ValueInfo>
  /** The first dispatches, which assemble the packed weights, and the inputs they read. */
  private readonly packCount: number
  private readonly packSources: readonly string[]
  /** The source tensors and their versions when the packs last ran, to skip packs of unchanged weights. */
  private packedFrom: readonly (readonly [WebGpuTensor, number])[] = []
  private readonly arena: GPUBuffer
  private readonly params: GPUBuffer
  private readonly bindGroup: GPUBindGroup

  constructor(
    private readonly runtime: GpuRuntime,
    plan: KernelPlan,
    leaves: readonly { id: string; name: string }[],
    readonly sizes: RunSizes,
    trace?: (stage: string, text: string) => void,
  ) {
    const { graph, types } = plan.root
    const layout = new ArenaLayout()
    const env = new Map<string, ValueInfo>()
    for (const id of graph.inputs) {
      const info = valueInfo(types.of(id), sizes, () => 0)
      env.set(id, { ...info, place: fixed(layout.take(info.count)) })
    }
    const inputs = new Map(leaves.map((l) => [l.name, env.get(l.id)!]))
    const packSteps = segmentSteps(
      'copy',
      plan.packs.map((pack) => packSegment(pack, inputs, env.get(pack.leaf)!)),
    )
    const steps = lowerGraph(plan.root, env, {
      sizes,
      layout,
      inLoop: false,
      place: (_, count) => fixed(layout.take(count)),
      matmul: runtime.matmul,
    })
    this.inputs = inputs
    this.packCount = packSteps.length
    this.packSources = [...new Set(plan.packs.flatMap((p) => p.blocks.map((b) => b.source)))]
    this.outputs = new Map(graph.outputs.map((o) => [o.name, env.get(o.ref)!]))
    const calls = flatten([...packSteps, ...steps])
    trace?.(
      `webgpu kernels (batch ${sizes.batch}, steps ${sizes.steps}): ${calls.length} dispatches`,
      [...new Set(calls.map((c) => c.wgsl))].join('\n// ----\n'),
    )

    const { device } = runtime
    const arenaBytes = Math.ceil(layout.size / 4) * 16 // whole vec4s (see vec4KernelHeader)
    const bindingLimit = device.limits.maxStorageBufferBindingSize
    if (arenaBytes > bindingLimit)
      throw new Error(
        `this model needs ${arenaBytes} bytes of tensors at batch ${sizes.batch}, ${sizes.steps} steps; ` +
          `the device binds at most ${bindingLimit} (maxStorageBufferBindingSize): use a smaller batch or sequence`,
      )
    this.arena = runtime.createBuffer(arenaBytes, usage.storage | usage.copySrc | usage.copyDst, 'arena')
    const offsets: number[] = []
    let words = 0
    for (const c of calls) {
      offsets.push(words)
      words += Math.max(1, Math.ceil(c.params.length / recordAlignWords)) * recordAlignWords
    }
    // The last dispatch's window must fit in the buffer too.
    const records = new Uint32Array(Math.max(words - recordAlignWords, 0) + paramWords)
    calls.forEach((c, k) => records.set(c.params, offsets[k]!))
    this.params = runtime.createBuffer(records.byteLength, usage.uniform | usage.copyDst, 'params')
    runtime.writeBuffer(this.params, 0, records)
    for (const { offset, count, value } of layout.fills)
      runtime.writeBuffer(this.arena, offset * 4, new Float32Array(count).fill(value))
    this.bindGroup = device.createBindGroup({
      layout: runtime.bindGroupLayout,
      entries: [
        { binding: 0, resource: { buffer: this.arena } },
        { binding: 1, resource: { buffer: this.params, size: windowBytes } },
      ],
    })
    this.dispatches = calls.map((c, k) => ({
      kind: c.kind,
      pipeline: runtime.pipeline(c.wgsl),
      offset: offsets[k]! * 4,
      workgroups: c.workgroups,
    }))
  }

  /**
   * Records one run: inputs in, all dispatches in one compute pass, outputs out. The packs run
   * only when a source weight is another tensor or was written since they last ran (inference
   * with fixed weights packs once).
   */
  encode(
    encoder: GPUCommandEncoder,
    inputs: ReadonlyMap<string, WebGpuTensor>,
    outputs: ReadonlyMap<string, WebGpuTensor>,
  ): void {
    for (const [name, t] of inputs) {
      const info = this.inputs.get(name)!
      encoder.copyBufferToBuffer(t.buffer, 0, this.arena, info.place(0) * 4, info.count * 4)
    }
    this.encodeDispatches(encoder, this.packsCurrent(inputs) ? this.packCount : 0)
    for (const [name, t] of outputs) {
      const info = this.outputs.get(name)!
      encoder.copyBufferToBuffer(this.arena, info.place(0) * 4, t.buffer, 0, info.count * 4)
      t.version++
    }
  }

  /** Whether the packed weights in the arena were made from these very tensors as they are now. */
  private packsCurrent(inputs: ReadonlyMap<string, WebGpuTensor>): boolean {
    const current =
      this.packedFrom.length === this.packSources.length &&
      this.packSources.every((name, k) => {
        const [t, v] = this.packedFrom[k]!
        return inputs.get(name) === t && t.version === v
      })
    // A run that packs records what it packed from; an unchanged run allocates nothing.
    if (!current)
      this.packedFrom = this.packSources.map((name) => {
        const t = inputs.get(name)!
        return [t, t.version] as const
      })
    return current
  }

  /** Every dispatch from `first` in one compute pass; in a profiling run, one timestamped pass each instead. */
  private encodeDispatches(encoder: GPUCommandEncoder, first: number): void {
    const dispatches = first === 0 ? this.dispatches : this.dispatches.slice(first)
    const profiler = this.runtime.profiler
    if (profiler) {
      profiler.encode(encoder, this.bindGroup, dispatches)
      return
    }
    const pass = encoder.beginComputePass()
    let current: GPUComputePipeline | undefined
    for (const d of dispatches) {
      if (d.pipeline !== current) pass.setPipeline((current = d.pipeline))
      pass.setBindGroup(0, this.bindGroup, [d.offset])
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2])
    }
    pass.end()
    this.runtime.encodedPass(dispatches.length)
  }

  dispose(): void {
    this.runtime.destroyBuffer(this.arena)
    this.runtime.destroyBuffer(this.params)
  }
}
