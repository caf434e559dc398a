import type { Graph, Node } from '@cellgraph/graph'
import { parseRef, ref, renameRefs } from './edit.js'

/**
 * Rewrites the references to a scan's outputs after its output list changed: `remap[k]` is the
 * new ref for old output k (a new output index of the same scan, or another value).
 */
export function remapScanOutputs(
  nodes: readonly Node[],
  outputs: Graph['outputs'],
  scanId: string,
  remap: readonly (number | string)[],
) {
  const map = new Map<string, string>()
  remap.forEach((to, k) => {
    const target = typeof to === 'number' ? ref(scanId, to) : to
    if (target !== ref(scanId, k)) map.set(ref(scanId, k), target)
  })
  return renameRefs(nodes, outputs, map)
}

/** Output indices of a scan that are read anywhere in the level. */
export function readOutputs(nodes: readonly Node[], outputs: Graph['outputs'], scanId: string): Set<number> {
  const read = new Set<number>()
  const see = (r: string) => {
    const { node, output } = parseRef(r)
    if (node === scanId) read.add(output)
  }
  for (const n of nodes) n.inputs.forEach(see)
  for (const o of outputs) see(o.ref)
  return read
}
