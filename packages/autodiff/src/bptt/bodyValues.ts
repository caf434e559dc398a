import {
  formatType,
  type Graph,
  type GraphBuilder,
  GraphError,
  type GraphTypes,
  nodeMap,
  parseRef,
  ref,
  type Value,
} from '@cellgraph/graph'
import { normalRef } from '../flow.js'
import type { BpttMode } from '../rule.js'

/** A saved per-step value: the body ref, and the leaf that binds it in the backward body. */
export interface SavedValue {
  readonly ref: string
  readonly leaf: string
}

export interface BodyValues {
  /** The forward value of a body ref, inside the backward body. */
  readonly value: (r: string) => Value
  /** Values saved per step, in the order first read. */
  readonly saved: readonly SavedValue[]
  /** Indices of body inputs (sequences and loop invariants) bound again in the backward body. */
  readonly bound: readonly number[]
}

/**
 * How the backward body gets the forward values its rules read: row values are saved per step
 * (each becomes an input leaf `saved.<ref>`); the step's input sequences and the loop invariants are
 * bound again; constants are re-emitted; tensor values (functions of the invariants, or of rows
 * saved anyway) are recomputed. In `recompute` mode only the carries are saved and every other
 * value is recomputed from them. A tensor carry cannot be saved per step, and is refused.
 */
export function bodyValues(
  body: Graph,
  types: GraphTypes,
  carries: number,
  bb: GraphBuilder,
  mode: BpttMode,
  where: string,
): BodyValues {
  const byId = nodeMap(body)
  const saved: SavedValue[] = []
  const bound: number[] = []
  const cache = new Map<string, Value>()
  const value = (r: string): Value => {
    const key = normalRef(r)
    const hit = cache.get(key)
    if (hit) return hit
    const { node: id, output } = parseRef(key)
    const n = byId.get(id)!
    const type = types.of(key)
    const index = body.inputs.indexOf(id)
    let v: Value
    if (index >= carries) {
      v = bb.leaf(n.op as 'input', id, n.attrs as never)
      bound.push(index)
    } else if (n.op === 'constant') {
      v = bb.constant(n.attrs.value)
    } else if (type.layout === 'batch' && (index >= 0 || mode === 'save')) {
      const leaf = `saved.${key.replaceAll(':', '_')}`
      v = bb.leaf('input', leaf, { name: leaf, type })
      saved.push({ ref: key, leaf })
    } else if (index >= 0) {
      throw new GraphError(
        `${where}: carry %${id} is a tensor ${formatType(type)}; backpropagation through time saves ` +
          'per-step values as rows and cannot save a tensor carry',
        id,
        'scan',
      )
    } else {
      const outs = bb.apply(n.op, n.inputs.map(value), n.attrs as never)
      outs.forEach((o, k) => cache.set(ref(id, k), o))
      v = outs[output]!
    }
    cache.set(key, v)
    return v
  }
  return { value, saved, bound }
}
