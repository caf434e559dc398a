import { GraphError, type Value } from '@cellgraph/graph'
import { type BpttPlan, planBptt } from '../bptt/plan.js'
import { zerosLike } from '../emit.js'
import type { VjpRule } from '../rule.js'

interface ScanStash {
  readonly plan: BpttPlan
  /** Every output of the augmented forward scan, saved intermediates included. */
  readonly outputs: readonly Value[]
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

/**
 * Backpropagation through time. The forward scan is rewritten to also emit the intermediates its
 * body's vector-Jacobian product reads (as per-step outputs); the backward pass is one scan in the
 * opposite direction over them (see BpttPlan). Initial carries get the reverse scan's final carries,
 * loop invariants its accumulators, input sequences its per-step outputs.
 */
export const scan: VjpRule<'scan'> = {
  saves: ({ body }) => ({ inputs: range(body.inputs.length) }),
  forward: ({ node, builder, inputs, needsInput, needsOutput, bptt }) => {
    const plain = () => builder.apply('scan', inputs, node.attrs, node.id)
    if (!needsInput.some(Boolean) || !needsOutput.some(Boolean)) return { outputs: plain(), stash: undefined }
    const plan = planBptt(node, needsInput, needsOutput, bptt)
    const outputs = builder.apply('scan', inputs, { ...node.attrs, body: plan.forwardBody }, node.id)
    const stash: ScanStash = { plan, outputs }
    return { outputs: outputs.slice(0, node.attrs.body.outputs.length), stash }
  },
  vjp: (ctx) => {
    const stash = ctx.stash as ScanStash | undefined
    if (!stash)
      throw new GraphError(
        `scan %${ctx.node.id}: no BPTT plan; the forward pass was not prepared`,
        ctx.node.id,
      )
    const { plan, outputs } = stash
    const { carries, reverse } = ctx.attrs
    const cotangentOf = (k: number) => ctx.cotangents[k] ?? zerosLike(outputs[k]!)
    const sequences = plan.sequences.map((s) =>
      s.from === 'forward'
        ? outputs[s.output]!
        : s.from === 'input'
          ? ctx.input(s.index)
          : cotangentOf(s.output),
    )
    const initial = [
      ...range(carries).map((k) => ctx.cotangents[k] ?? zerosLike(ctx.like(k))),
      ...plan.accumulators.map((i) => zerosLike(ctx.like(i))),
    ]
    const backward = ctx.builder.apply(
      'scan',
      [...initial, ...sequences, ...plan.invariants.map((i) => ctx.input(i))],
      {
        body: plan.backwardBody,
        carries: initial.length,
        sequences: sequences.length,
        reverse: !reverse,
      },
    )
    const perStep = carries + plan.accumulators.length
    return ctx.inputTypes.map((_, i) => {
      if (i < carries) return () => backward[i]!
      const acc = plan.accumulators.indexOf(i)
      if (acc >= 0) return () => backward[carries + acc]!
      const seq = plan.sequenceGrads.indexOf(i)
      return seq >= 0 ? () => backward[perStep + seq]! : undefined
    })
  },
}
