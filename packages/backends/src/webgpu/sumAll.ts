import {
  type KernelCall,
  kernelHeader,
  ParamList,
  paramWords,
  workgroupSize,
  workgroupTotal,
} from './kernel.js'
import type { KernelStep } from './lower.js'
import type { ValueInfo } from './values.js'

/**
 * Workgroups for the sum of `count` floats: one up to 4,096 (64 loads a thread), else enough that
 * each thread loads about 64, at most 256 (their partials summed by a second call). One workgroup
 * streaming a large gradient would leave all but one of the GPU's multiprocessors idle.
 */
export const sumAllGroups = (count: number): number =>
  count <= 4096 ? 1 : Math.min(256, Math.ceil(count / 4096))

/**
 * WGSL statements that define `element`, element `i` of what a sum adds: a read of the value, or
 * (a fused kernel's only value, which nothing else reads) its expression, computed where it is
 * summed so the value never reaches memory.
 */
export type ElementStatements = (params: ParamList, s: number) => string

/** `element` = arena[at + i]. */
const readAt = (p: ParamList, at: number) => `let element = arena[${p.add(at)} + i];`

/** Element `i` of a value in the arena. */
const elementRead =
  (x: ValueInfo): ElementStatements =>
  (p, s) =>
    readAt(p, x.place(s))

/** One sum of a kernel: `count` elements, by `groups` workgroups writing to `to + g`. */
interface Part {
  readonly element: (params: ParamList) => string
  readonly count: number
  readonly to: number
  readonly groups: number
}

/** Most sums one kernel takes: each is a branch of its WGSL. */
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
  const branches = parts.map((part, k) => {
    const test = k === 0 ? `w < ${part.groups}u` : `w >= ${first}u && w < ${first + part.groups}u`
    const branch = `  if (${test}) {
    dst = ${params.add(part.to)};
    g = w - ${first}u;
    for (var i = g * ${workgroupSize}u + lid; i < ${part.count}u; i += ${part.groups * workgroupSize}u) {
      ${part.element(params).replaceAll('\n', '\n      ')}
      s += element;
    }
  }`
    first += part.groups
    return branch
  })
  const wgsl = `${kernelHeader}
var<workgroup> partial: array<f32, ${workgroupSize}>;
@compute @workgroup_size(${workgroupSize})
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let w = wid.x;
  var dst = 0u;
  var g = 0u;
  var s = 0.0;
${branches.join('\n')}
  ${workgroupTotal('s')}
  if (lid == 0u) { arena[dst + g] = total; }
}`
  return { kind: 'sum of all elements', wgsl, workgroups: [first, 1, 1], params: params.words }
}

/** The parameter words a part takes. */
function wordsOf(part: Part): number {
  const scratch = new ParamList()
  part.element(scratch)
  return scratch.words.length + 1 // and its `to`
}

/** The kernels of `parts`: consecutive parts share one while they fit its parameter window and `partsPerKernel`. */
function sumKernels(parts: (s: number) => readonly Part[], count: number): KernelStep[] {
  const atZero = parts(0)
  const kernels: [number, number][] = []
  let words = paramWords
  for (let z = 0; z < count; z++) {
    const w = wordsOf(atZero[z]!)
    const last = kernels.at(-1)
    if (!last || words + w > paramWords || last[1] - last[0] === partsPerKernel) {
      kernels.push([z, z + 1])
      words = w
    } else {
      last[1] = z + 1
      words += w
    }
  }
  return kernels.map(([a, b]) => ({ kind: 'kernel', build: (s) => sumKernel(parts(s).slice(a, b)) }))
}

/**
 * outs[z] = the sum of all the elements `elements[z]` makes (xs[z] by default), for independent
 * pairs of any sizes: one kernel whose workgroups split every sum (`sumAllGroups`), then, for the
 * sums split in more than one, one kernel adding each one's partials (regions from `take`). The
 * optimizer's squared gradient norms, one per parameter, are one or two dispatches, not one or two
 * per parameter, and the squares never reach memory.
 */
export function sumsOfAll(
  xs: readonly ValueInfo[],
  outs: readonly ValueInfo[],
  take: (count: number) => number,
  elements: readonly (ElementStatements | undefined)[] = [],
): KernelStep[] {
  const groups = xs.map((x) => sumAllGroups(x.count))
  const partials = groups.map((g) => (g === 1 ? undefined : take(g))) // used and consumed within the calls
  const split = xs.flatMap((_, z) => (groups[z]! > 1 ? [z] : []))
  return [
    ...sumKernels(
      (s) =>
        xs.map((x, z) => {
          const element = elements[z] ?? elementRead(x)
          return {
            element: (p) => element(p, s),
            count: x.count,
            to: partials[z] ?? outs[z]!.place(s),
            groups: groups[z]!,
          }
        }),
      xs.length,
    ),
    ...sumKernels(
      (s) =>
        split.map((z) => ({
          element: (p) => readAt(p, partials[z]!),
          count: groups[z]!,
          to: outs[z]!.place(s),
          groups: 1,
        })),
      split.length,
    ),
  ]
}
