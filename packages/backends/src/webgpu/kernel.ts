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
const maxGroupsPerDim = 65535

/** A 1-D grid of `count` threads, folded into 2-D when it exceeds the per-dimension limit. */
const grid = (count: number): [number, number, number] => {
  const groups = Math.max(1, Math.ceil(count / workgroupSize))
  const x = Math.min(groups, maxGroupsPerDim)
  return [x, Math.ceil(groups / x), 1]
}

/**
 * A `kind` kernel with one thread per index `i` in [0, count). `body(params)` returns WGSL
 * statements that may use `i` and must do their own writes.
 */
export function perIndexKernel(
  kind: KernelKind,
  count: number,
  body: (params: ParamList) => string,
): KernelCall {
  const params = new ParamList()
  const n = params.add(count)
  const code = body(params)
  const wgsl = `${kernelHeader}
@compute @workgroup_size(${workgroupSize})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${workgroupSize}u;
  if (i >= ${n}) { return; }
${code}
}`
  return { kind, wgsl, workgroups: grid(count), params: params.words }
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

/** Copies `count` floats inside the arena. */
export const copyKernel = (from: number, to: number, count: number): KernelCall =>
  perIndexKernel('copy', count, (p) => `  arena[${p.add(to)} + i] = arena[${p.add(from)} + i];`)

/**
 * The sum of `count` floats by `groups` workgroups: workgroup `g` sums the elements
 * `g·64 + lid + k·groups·64` (coalesced) and writes its total to `to + g`. With one group that
 * is the sum itself; with more, a second call with one group sums the partials.
 */
export function sumAllKernel(from: number, count: number, to: number, groups = 1): KernelCall {
  const params = new ParamList()
  const n = params.add(count)
  const src = params.add(from)
  const dst = params.add(to)
  const stride = groups * workgroupSize
  const wgsl = `${kernelHeader}
var<workgroup> partial: array<f32, ${workgroupSize}>;
@compute @workgroup_size(${workgroupSize})
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  var s = 0.0;
  for (var k = wid.x * ${workgroupSize}u + lid; k < ${n}; k += ${stride}u) { s += arena[${src} + k]; }
  partial[lid] = s;
  workgroupBarrier();
  if (lid == 0u) {
    var total = 0.0;
    for (var k = 0u; k < ${workgroupSize}u; k++) { total += partial[k]; }
    arena[${dst} + wid.x] = total;
  }
}`
  return { kind: 'sum of all elements', wgsl, workgroups: [groups, 1, 1], params: params.words }
}

/**
 * Workgroups for the sum of `count` floats: one up to 4,096 (64 loads a thread), else enough that
 * each thread loads about 64, at most 256 (their partials summed by a second call). One workgroup
 * streaming a large gradient would leave all but one of the GPU's multiprocessors idle.
 */
export const sumAllGroups = (count: number): number =>
  count <= 4096 ? 1 : Math.min(256, Math.ceil(count / 4096))
