/**
 * The kind of a WebGPU kernel, for the per-kernel profile: what a GPU engineer would call it
 * (product, fused pointwise tail, row group, copy, …). Profiling only: nothing else depends on it.
 *
 * A kernel may name its kind itself with a line `// kernel: <kind>` in its WGSL; otherwise
 * the kind is read from the shape of the code the builders in this folder generate, so a new
 * kernel builder either writes that line or adds its rule here.
 */
export type KernelKind = string

const named = /^\s*\/\/ kernel: ([^\n]+)$/m

/** The code with every index expression emptied (`arena[p.w[0].x + i]` → `arena⟨⟩`), to match on shape. */
const withoutIndices = (code: string) => {
  let s = code
  while (/[[\]]/.test(s)) s = s.replace(/\[[^[\]]*\]/g, '⟨⟩')
  return s
}

/** Every value written (to the arena or to `v`) is an arena read, `v` or zero: data movement. */
const movesOnly = (body: string) => {
  const writes = [...body.matchAll(/(?:arena⟨⟩|\bv) = ([^;]+);/g)].map((m) => m[1]!.trim())
  return body.includes('arena⟨⟩ =') && writes.every((rhs) => ['arena⟨⟩', 'v', '0.0'].includes(rhs))
}

/** The kind of the kernel whose WGSL is `wgsl`. */
export function kernelKind(wgsl: string): KernelKind {
  const declared = named.exec(wgsl)
  if (declared) return declared[1]!.trim()
  const main = withoutIndices(wgsl.slice(wgsl.indexOf('fn main')))
  if (/var<workgroup> tileA/.test(wgsl)) return 'product'
  if (/var<workgroup> partial/.test(wgsl))
    return /workgroup_id/.test(main) ? 'row group' : 'sum of all elements'
  if (/acc \+= arena⟨⟩ \* arena⟨⟩/.test(main)) return 'product'
  if (/for \(var r = 0u;[^\n]*sum \+=/.test(main)) return 'column sum'
  if (/for \(var k = [01]u; k < n;/.test(main)) return 'row reduction'
  if (movesOnly(main)) return 'copy'
  return 'pointwise'
}
