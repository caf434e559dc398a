import { type KernelCall, kernelHeader, ParamList, workgroupSize, workgroupTotal } from './kernel.js'
import type { KernelStep } from './lower.js'
import type { ValueInfo } from './values.js'

/**
 * Workgroups for the sum of `count` floats: one up to 4,096 (64 loads a thread), else enough that
 * each thread loads about 64, at most 256 (their partials summed by a second call). One workgroup
 * streaming a large gradient would leave all but one of the GPU's multiprocessors idle.
 */
export const sumAllGroups = (count: number): number =>
  count <= 4096 ? 1 : Math.min(256, Math.ceil(count / 4096))

/** One sum of a kernel: `count` floats from `from`, by `groups` workgroups writing to `to + g`. */
interface Part {
  readonly from: number
  readonly count: number
  readonly to: number
  readonly groups: number
}

/** Most sums one kernel takes: two parameter words each, and a branch of its WGSL. */
const partsPerKernel = 64

/**
 * Sums by workgroups: workgroup g of a part sums its elements g·64 + lid + k·groups·64 (coalesced)
 * and writes its total to `to + g`; with one group that is the sum itself. A workgroup finds its
 * part by comparing its index with the parts' first groups (literals; separate tests, as shader
 * compilers bound the length of an else-if chain).
 */
function sumKernel(parts: readonly Part[]): KernelCall {
  const params = new ParamList()
  let first = 0
  const picks = parts.map((part, k) => {
    const test = k === 0 ? `w < ${part.groups}u` : `w >= ${first}u && w < ${first + part.groups}u`
    const pick = `if (${test}) { src = ${params.add(part.from)}; dst = ${params.add(part.to)}; n = ${part.count}u; g = w - ${first}u; stride = ${part.groups * workgroupSize}u; }`
    first += part.groups
    return pick
  })
  const wgsl = `${kernelHeader}
var<workgroup> partial: array<f32, ${workgroupSize}>;
@compute @workgroup_size(${workgroupSize})
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let w = wid.x;
  var src = 0u;
  var dst = 0u;
  var n = 0u;
  var g = 0u;
  var stride = 0u;
  ${picks.join('\n  ')}
  var s = 0.0;
  for (var k = g * ${workgroupSize}u + lid; k < n; k += stride) { s += arena[src + k]; }
  ${workgroupTotal('s')}
  if (lid == 0u) { arena[dst + g] = total; }
}`
  return { kind: 'sum of all elements', wgsl, workgroups: [first, 1, 1], params: params.words }
}

/** The kernels of `parts`, `partsPerKernel` at a time. */
function sumKernels(parts: (s: number) => readonly Part[], count: number): KernelStep[] {
  const kernels: KernelStep[] = []
  for (let a = 0; a < count; a += partsPerKernel)
    kernels.push({ kind: 'kernel', build: (s) => sumKernel(parts(s).slice(a, a + partsPerKernel)) })
  return kernels
}

/**
 * outs[z] = the sum of all of xs[z], for independent pairs of any sizes: one kernel whose
 * workgroups split every sum (`sumAllGroups`), then, for the sums split in more than one, one
 * kernel adding each one's partials (regions from `take`). The optimizer's squared gradient norms,
 * one per parameter, are two dispatches, not one or two per parameter.
 */
export function sumsOfAll(
  xs: readonly ValueInfo[],
  outs: readonly ValueInfo[],
  take: (count: number) => number,
): KernelStep[] {
  const groups = xs.map((x) => sumAllGroups(x.count))
  const partials = groups.map((g) => (g === 1 ? undefined : take(g))) // used and consumed within the calls
  const split = xs.flatMap((_, z) => (groups[z]! > 1 ? [z] : []))
  return [
    ...sumKernels(
      (s) =>
        xs.map((x, z) => ({
          from: x.place(s),
          count: x.count,
          to: partials[z] ?? outs[z]!.place(s),
          groups: groups[z]!,
        })),
      xs.length,
    ),
    ...sumKernels(
      (s) => split.map((z) => ({ from: partials[z]!, count: groups[z]!, to: outs[z]!.place(s), groups: 1 })),
      split.length,
    ),
  ]
}
