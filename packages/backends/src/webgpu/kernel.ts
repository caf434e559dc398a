import { wgslHelpers } from './wgsl.js'

/**
 * What a GPU engineer would call a kernel, named by the builder that makes it: the per-kernel
 * profile sums GPU time by it. `pointwise` is a fused elementwise kernel; `row group` several
 * steps over the same rows, one workgroup per row (`plan/rowGroups.ts`); `copy` moves data only
 * (copies, concats, pads, packed weights).
 */
export type KernelKind =
  | 'product'
  | 'product with tail'
  | 'product with head'
  | 'pointwise'
  | 'row group'
  | 'row reduction'
  | 'column sum'
  | 'sum of all elements'
  | 'copy'

/**
 * One compute dispatch: a WGSL module, its kind, its workgroup grid and its parameter words. Every kernel
 * binds the same two things: the model's arena (all tensors, addressed by f32 offsets) and a
 * uniform window onto its record of u32 parameters, selected per dispatch by a dynamic offset. So
 * a kernel never runs out of storage-buffer bindings however many tensors it reads.
 */
export interface KernelCall {
  readonly kind: KernelKind
  readonly wgsl: string
  readonly workgroups: readonly [number, number, number]
  readonly params: readonly number[]
}

/**
 * Parameter words a kernel may use: the 1 KiB uniform window each dispatch reads. Records are
 * packed in steps of `recordAlignWords` (256 bytes, the uniform offset alignment), so a kernel
 * with few parameters takes 256 bytes and one with many (a fused gradient of a deep
 * bidirectional stack) takes what it needs; a window may reach into the next records, unread.
 */
export const paramWords = 256
export const recordAlignWords = 64

const header = (arena: string) => `
struct Params { w: array<vec4<u32>, ${paramWords / 4}> }
@group(0) @binding(0) var<storage, read_write> arena: ${arena};
@group(0) @binding(1) var<uniform> p: Params;
${wgslHelpers}`

/** The bindings and helpers every kernel starts with. */
export const kernelHeader = header('array<f32>')

/**
 * The same bindings with the arena viewed as vec4s, for kernels that load 4 floats at once
 * (matrix products on aligned operands). The plan sizes the arena in whole vec4s and starts every
 * region at a multiple of 4 floats, so this view reaches every value.
 */
export const vec4KernelHeader = header('array<vec4<f32>>')

/** Collects u32 parameters while a kernel's WGSL is generated, and names them in WGSL. */
export class ParamList {
  readonly words: number[] = []
  /** Adds a value and returns the WGSL expression that reads it. */
  add(value: number): string {
    const k = this.words.length
    if (k >= paramWords) throw new Error(`a kernel needs more than ${paramWords} parameters`)
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
      throw new Error(`kernel parameter ${value} is not a u32`)
    this.words.push(value)
    return `p.w[${k >> 2}].${'xyzw'[k & 3]}`
  }
}

export const workgroupSize = 64

/**
 * WGSL statements summing each thread's `value` over the workgroup (through `partial`, one f32 per
 * thread in workgroup memory) into `total`, which every thread may read after them: pairs are
 * added in halving rounds (6 for 64 threads), each behind a barrier, where one thread adding all
 * 64 in turn would wait on 64 reads of workgroup memory while the others idle.
 */
export const workgroupTotal = (value: string): string => `partial[lid] = ${value};
  workgroupBarrier();
  for (var half = ${workgroupSize / 2}u; half > 0u; half >>= 1u) {
    if (lid < half) { partial[lid] += partial[lid + half]; }
    workgroupBarrier();
  }
  let total = partial[0];`
const maxGroupsPerDim = 65535

/** A 1-D grid of `count` threads, folded into 2-D when it exceeds the per-dimension limit. */
const grid = (count: number): [number, number, number] => {
  const groups = Math.max(1, Math.ceil(count / workgroupSize))
  const x = Math.min(groups, maxGroupsPerDim)
  return [x, Math.ceil(groups / x), 1]
}

/** A kernel of `count` threads, thread `index` in [0, count) running `body(params)`'s statements. */
function gridKernel(
  kind: KernelKind,
  count: number,
  index: string,
  body: (params: ParamList) => string,
): KernelCall {
  const params = new ParamList()
  const n = params.add(count)
  const code = body(params)
  const wgsl = `${kernelHeader}
@compute @workgroup_size(${workgroupSize})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let ${index} = gid.x + gid.y * groups.x * ${workgroupSize}u;
  if (${index} >= ${n}) { return; }
${code}
}`
  return { kind, wgsl, workgroups: grid(count), params: params.words }
}

/**
 * A `kind` kernel with one thread per index `i` in [0, count). `body(params)` returns WGSL
 * statements that may use `i` and must do their own writes.
 */
export const perIndexKernel = (kind: KernelKind, count: number, body: (params: ParamList) => string) =>
  gridKernel(kind, count, 'i', body)

/** A part of a segmented kernel: `count` threads, numbered `i` from 0, running `body`'s statements. */
export interface Segment {
  readonly count: number
  readonly body: (params: ParamList) => string
}

/**
 * Independent per-index kernels as one dispatch: thread t of the grid runs segment k's body with
 * i = t − (the threads of the segments before k). Outside scans, independent kernels (the
 * optimizer's per-parameter updates, a scan's initial carries) would each wait for the one before
 * (every kernel writes the one arena); as segments they share one wait. One segment is its kernel.
 */
export function segmentedKernel(kind: KernelKind, segments: readonly Segment[]): KernelCall {
  if (segments.length === 1) return perIndexKernel(kind, segments[0]!.count, segments[0]!.body)
  const total = segments.reduce((n, seg) => n + seg.count, 0)
  return gridKernel(kind, total, 't', (params) => {
    let first = 0
    return segments
      .map((seg, k) => {
        // Separate tests, not an else-if chain: shader compilers bound a chain's length.
        const test = k === 0 ? `t < ${seg.count}u` : `t >= ${first}u && t < ${first + seg.count}u`
        const code = `  if (${test}) {\n    let i = t - ${first}u;\n  ${seg.body(params).replaceAll('\n', '\n  ')}\n  }`
        first += seg.count
        return code
      })
      .join('\n')
  })
}

/**
 * A row group's kernel: one workgroup per row `r` in [0, rows), its threads numbered `lid`,
 * sharing `partial` (one f32 per thread) in workgroup memory. `body(params)` returns WGSL statements.
 */
export function perRowKernel(rows: number, body: (params: ParamList) => string): KernelCall {
  const params = new ParamList()
  const n = params.add(rows)
  const code = body(params)
  const wgsl = `${kernelHeader}
var<workgroup> partial: array<f32, ${workgroupSize}>;
@compute @workgroup_size(${workgroupSize})
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = wid.x + wid.y * groups.x;
  if (r >= ${n}) { return; }
${code}
}`
  const x = Math.min(Math.max(rows, 1), maxGroupsPerDim)
  return {
    kind: 'row group',
    wgsl,
    workgroups: [x, Math.ceil(Math.max(rows, 1) / x), 1],
    params: params.words,
  }
}
