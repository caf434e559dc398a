import type { Graph } from '../ir.js'

/** Node ids not yet used in `graph`: `fresh('mask')` gives `mask`, or `mask.1`, `mask.2`, ... if taken. */
export function freshIds(graph: Graph): (base: string) => string {
  const used = new Set(graph.nodes.map((n) => n.id))
  return (base) => {
    let id = base
    for (let k = 1; used.has(id); k++) id = `${base}.${k}`
    used.add(id)
    return id
  }
}
