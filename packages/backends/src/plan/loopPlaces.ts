import { type Node, parseRef } from '@cellgraph/graph'

/**
 * Where a carry's versions live (version v: what step v reads; version 0 the initial value,
 * version s + 1 what step s writes):
 * - `written`: the node making the carry is also per-step output `output`; version v ≥ 1 is
 *   that output's slice v − 1 (an LSTM's h);
 * - `read`: the carry as a step reads it is per-step output `output`; version v < T is its
 *   slice v (a saved c in BPTT);
 * - `both`: both at once (a saved c and a saved c_next in BPTT): every version lives in one run
 *   of T + 1 slices, which per-step output `written` (versions 1..T) and per-step output `read`
 *   (versions 0..T − 1) share, one slice apart;
 * - `pair`: two slots, alternating by the parity of v.
 * In the first three the per-step outputs are filled by the carry's own writes: no copy per step,
 * and every version stays in memory after the loop.
 */
export type CarryPlace =
  | { readonly kind: 'written' | 'read'; readonly output: number }
  | { readonly kind: 'both'; readonly written: number; readonly read: number }
  | { readonly kind: 'pair' }

/** How a scan's body values meet its carries and stacked outputs, decided from the graph alone. */
export interface LoopPlaces {
  readonly carries: readonly CarryPlace[]
  /** Body nodes that write the output they make (by index) in place: the first they make. */
  readonly direct: ReadonlyMap<string, number>
  /** Outputs nothing writes in place, copied every step: a body input passed through, a constant, a node's second output. */
  readonly copies: readonly number[]
  /**
   * Concats whose parts stay in memory after the loop (sequence reads, carries in `written` or
   * `read` places) and which only a per-step output reads ([h, x] saved for the backward scan):
   * they run after the loop, over many steps at once, instead of once a step.
   */
  readonly hoisted: ReadonlySet<string>
}

const constantOps = new Set(['constant', 'rowCount'])

export function loopPlaces(node: Node<'scan'>): LoopPlaces {
  const { body, carries, sequences } = node.attrs
  const byId = new Map(body.nodes.map((n) => [n.id, n]))
  const outputs = body.outputs.map((o) => parseRef(o.ref))
  const direct = new Map<string, number>()
  outputs.forEach(({ node: id, output }, k) => {
    const n = byId.get(id)
    if (output === 0 && !direct.has(id) && !body.inputs.includes(id) && n && !constantOps.has(n.op))
      direct.set(id, k)
  })
  const covered = new Set<number>()
  const free = (pick: (o: number) => boolean) => {
    for (let o = carries; o < outputs.length; o++) if (!covered.has(o) && pick(o)) return o
    return undefined
  }
  const is = (o: number, id: string) => outputs[o]!.node === id && outputs[o]!.output === 0
  const places = outputs.slice(0, carries).map(({ node: id }, k): CarryPlace => {
    const written = direct.get(id) === k ? free((o) => is(o, id)) : undefined
    if (written !== undefined) covered.add(written)
    const read = free((o) => is(o, body.inputs[k]!))
    if (read !== undefined) covered.add(read)
    if (written !== undefined && read !== undefined) return { kind: 'both', written, read }
    if (written !== undefined) return { kind: 'written', output: written }
    return read === undefined ? { kind: 'pair' } : { kind: 'read', output: read }
  })
  const copies = outputs.flatMap(({ node: id }, k) => (direct.get(id) === k || covered.has(k) ? [] : [k]))

  const kept = new Set(body.inputs.slice(carries, carries + sequences))
  places.forEach((p, k) => {
    if (p.kind !== 'pair') kept.add(body.inputs[k]!)
  })
  const readers = new Map<string, number>()
  for (const n of body.nodes)
    for (const r of n.inputs) readers.set(parseRef(r).node, (readers.get(parseRef(r).node) ?? 0) + 1)
  const hoisted = new Set<string>()
  for (const n of body.nodes) {
    if (n.op !== 'concat' || readers.has(n.id)) continue
    const k = direct.get(n.id)
    const readBy = outputs.filter((o) => o.node === n.id).length
    if (k === undefined || k < carries || readBy !== 1) continue
    if (n.inputs.every((r) => parseRef(r).output === 0 && kept.has(parseRef(r).node))) hoisted.add(n.id)
  }
  return { carries: places, direct, copies, hoisted }
}
