import { add, type Graph, GraphBuilder, type Node, parseRef, type Value, verify } from '@cellgraph/graph'
import { backprop } from '../backprop.js'
import { zerosLike } from '../emit.js'
import { dependents, normalRef } from '../flow.js'
import type { BpttMode } from '../rule.js'
import { bodyValues } from './bodyValues.js'

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

/**
 * Plans BPTT for a scan node. `needsInput[i]`: forward input i needs a cotangent; `needsOutput[k]`:
 * forward output k may receive one. `mode`: see GradOptions.bptt.
 */
export function planBptt(
  node: Node<'scan'>,
  needsInput: readonly boolean[],
  needsOutput: readonly boolean[],
  mode: BpttMode = 'save',
): BpttPlan {
  const { body, carries, sequences } = node.attrs
  const types = verify(body)
  const bb = new GraphBuilder()
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

  const values = bodyValues(body, types, carries, bb, mode, `scan %${node.id}`)

  const differentiated = new Set(body.inputs.filter((_, i) => i < carries || needsInput[i]))
  const flows = dependents(body, differentiated)
  const cots = backprop({
    graph: body,
    types,
    builder: bb,
    forward: values.value,
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
  const boundOf = (role: string) => values.bound.filter((i) => roleOf(i) === role).sort((a, b) => a - b)
  if (values.saved.length === 0 && !outputCots.some(Boolean) && boundOf('sequence').length === 0)
    values.value(body.inputs[carries]!)
  const seqIds = boundOf('sequence')
  const invIds = boundOf('invariant')

  const built = bb.build(outputs)
  const backwardBody: Graph = {
    ...built,
    inputs: [
      ...carryCots.map((v) => v.ref),
      ...accumulatorIds,
      ...values.saved.map((s) => s.leaf),
      ...outputCots.flatMap((v) => (v ? [v.ref] : [])),
      ...seqIds.map((i) => body.inputs[i]!),
      ...invIds.map((i) => body.inputs[i]!),
    ],
  }
  verify(backwardBody)

  // The forward body emits each saved value that is not already a per-step output.
  const extra: { name: string; ref: string }[] = []
  const names = new Set(body.outputs.map((o) => o.name))
  const savedSources = values.saved.map((s): SequenceSource => {
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
    saved: values.saved.map((s) => s.ref),
  }
}
