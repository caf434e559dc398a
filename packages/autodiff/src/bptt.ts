import {
  add,
  formatType,
  type Graph,
  GraphBuilder,
  GraphError,
  type Node,
  nodeMap,
  parseRef,
  ref,
  type Value,
  verify,
} from '@cellgraph/graph'
import { backprop } from './backprop.js'
import { zerosLike } from './emit.js'
import { dependents, normalRef } from './flow.js'

/** Where one sequence input of the reverse scan comes from. */
export type SequenceSource =
  /** A per-step output of the (augmented) forward scan: a saved intermediate. */
  | { readonly from: 'forward'; readonly output: number }
  /** An input of the forward scan (an input sequence the backward body reads). */
  | { readonly from: 'input'; readonly index: number }
  /** The cotangent of forward output `output` (a per-step output). */
  | { readonly from: 'cotangent'; readonly output: number }

/**
 * How a scan is differentiated (backpropagation through time):
 * the forward scan runs `forwardBody`, which also emits the saved intermediates as per-step
 * outputs; then a scan in the opposite direction runs `backwardBody`, the body's vector-Jacobian
 * product. Its carries are the carries' cotangents, then one accumulator per loop invariant that
 * gets a gradient; its sequences are `sequences`; its loop invariants are forward inputs
 * `invariants`. Its outputs are the initial carries' cotangents, the invariants' gradients, and
 * per-step cotangents for forward inputs `sequenceGrads`.
 */
export interface BpttPlan {
  readonly forwardBody: Graph
  readonly backwardBody: Graph
  readonly accumulators: readonly number[]
  readonly sequences: readonly SequenceSource[]
  readonly invariants: readonly number[]
  readonly sequenceGrads: readonly number[]
  /** Body refs saved per step, in order (for documentation and memory accounting). */
  readonly saved: readonly string[]
}

const safe = (r: string) => r.replaceAll(':', '_')

/**
 * Plans BPTT for a scan node. `needsInput[i]`: forward input i needs a cotangent; `needsOutput[k]`:
 * forward output k may receive one.
 */
export function planBptt(
  node: Node<'scan'>,
  needsInput: readonly boolean[],
  needsOutput: readonly boolean[],
): BpttPlan {
  const { body, carries, sequences } = node.attrs
  const types = verify(body)
  const byId = nodeMap(body)
  const bb = new GraphBuilder()
  const where = `scan %${node.id}`
  const roleOf = (i: number) => (i < carries ? 'carry' : i < carries + sequences ? 'sequence' : 'invariant')

  const carryIds = body.inputs.slice(0, carries)
  const carryCots = carryIds.map((id) =>
    bb.leaf('state', `dc.${id}`, { name: `dc.${id}`, type: types.of(id) }),
  )
  const stepOutputs = body.outputs.slice(carries)
  const outputCots = stepOutputs.map((o, k) =>
    needsOutput[carries + k]
      ? bb.leaf('input', `dy.${o.name}`, { name: `dy.${o.name}`, type: types.of(o.ref) })
      : undefined,
  )

  // Forward values inside the backward body: batch values are saved per step, inputs are bound,
  // and tensor values (functions of the loop invariants, or of saved rows) are recomputed.
  const saved: { ref: string; leaf: string }[] = []
  const bound: number[] = []
  const cache = new Map<string, Value>()
  const materialize = (r: string): Value => {
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
      v = bb.constant((n.attrs as { value: number }).value)
    } else if (type.layout === 'batch') {
      const leaf = `saved.${safe(key)}`
      v = bb.leaf('input', leaf, { name: leaf, type })
      saved.push({ ref: key, leaf })
    } else if (index >= 0) {
      throw new GraphError(
        `${where}: carry %${id} is a tensor ${formatType(type)}; backpropagation through time saves ` +
          'per-step values as rows and cannot save a tensor carry',
        node.id,
        'scan',
      )
    } else {
      const outs = bb.apply(n.op, n.inputs.map(materialize), n.attrs as never)
      outs.forEach((o, k) => cache.set(ref(id, k), o))
      v = outs[output]!
    }
    cache.set(key, v)
    return v
  }

  const differentiated = new Set(body.inputs.filter((_, i) => i < carries || needsInput[i]))
  const flows = dependents(body, differentiated)
  const cots = backprop({
    graph: body,
    types,
    builder: bb,
    forward: materialize,
    requiresGrad: (r) => flows.has(parseRef(r).node),
    seeds: [
      ...carryCots.map((value, k) => ({ ref: body.outputs[k]!.ref, value })),
      ...stepOutputs.flatMap((o, k) => (outputCots[k] ? [{ ref: o.ref, value: outputCots[k] }] : [])),
    ],
  })

  const outputs: { name: string; value: Value }[] = carryIds.map((id, k) => ({
    name: `dc.${id}`,
    value: cots.get(id) ?? zerosLike(carryCots[k]!),
  }))
  const accumulators: number[] = []
  const accumulatorIds: string[] = []
  const sequenceGrads: { name: string; value: Value }[] = []
  const sequenceGradIndices: number[] = []
  body.inputs.forEach((id, i) => {
    const g = i >= carries && needsInput[i] ? cots.get(id) : undefined
    if (!g) return
    if (roleOf(i) === 'invariant') {
      const acc = bb.leaf('state', `acc.${id}`, { name: `acc.${id}`, type: types.of(id) })
      outputs.push({ name: `acc.${id}`, value: add(acc, g) })
      accumulators.push(i)
      accumulatorIds.push(`acc.${id}`)
    } else {
      sequenceGrads.push({ name: `d.${id}`, value: g })
      sequenceGradIndices.push(i)
    }
  })
  outputs.push(...sequenceGrads)

  // The reverse scan needs at least one sequence to know T: bind the first input sequence if
  // nothing else is read per step.
  const boundSequences = bound.filter((i) => roleOf(i) === 'sequence').sort((a, b) => a - b)
  if (saved.length === 0 && !outputCots.some(Boolean) && boundSequences.length === 0)
    materialize(body.inputs[carries]!)
  const seqIds = bound.filter((i) => roleOf(i) === 'sequence').sort((a, b) => a - b)
  const invIds = bound.filter((i) => roleOf(i) === 'invariant').sort((a, b) => a - b)

  const built = bb.build(outputs)
  const backwardBody: Graph = {
    ...built,
    inputs: [
      ...carryCots.map((v) => v.ref),
      ...accumulatorIds,
      ...saved.map((s) => s.leaf),
      ...outputCots.flatMap((v) => (v ? [v.ref] : [])),
      ...seqIds.map((i) => body.inputs[i]!),
      ...invIds.map((i) => body.inputs[i]!),
    ],
  }
  verify(backwardBody)

  // The forward body emits each saved value that is not already a per-step output.
  const extra: { name: string; ref: string }[] = []
  const names = new Set(body.outputs.map((o) => o.name))
  const savedSources = saved.map((s): SequenceSource => {
    const existing = stepOutputs.findIndex((o) => normalRef(o.ref) === s.ref)
    if (existing >= 0) return { from: 'forward', output: carries + existing }
    let name = s.leaf
    while (names.has(name)) name = `${name}'`
    names.add(name)
    extra.push({ name, ref: s.ref })
    return { from: 'forward', output: body.outputs.length + extra.length - 1 }
  })
  const forwardBody: Graph = { ...body, outputs: [...body.outputs, ...extra] }

  return {
    forwardBody,
    backwardBody,
    accumulators,
    sequences: [
      ...savedSources,
      ...outputCots.flatMap((v, k): SequenceSource[] =>
        v ? [{ from: 'cotangent', output: carries + k }] : [],
      ),
      ...seqIds.map((index): SequenceSource => ({ from: 'input', index })),
    ],
    invariants: invIds,
    sequenceGrads: sequenceGradIndices,
    saved: saved.map((s) => s.ref),
  }
}
