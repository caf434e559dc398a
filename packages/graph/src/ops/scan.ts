import { formatType, sameType, type ValueType } from '../types.js'
import type { OpDef } from './def.js'
import { fail } from './def.js'

/**
 * Recurrence over time. Inputs, in the body's binding order: `carries` initial states, then
 * `sequences` time-major sequences [T,B,F] (the body sees one step [B,F]), then loop invariants
 * (tensors, e.g. parameters). The body returns the new carries, then per-step outputs.
 * Outputs: the final carries, then the per-step outputs stacked into sequences.
 * With `reverse`, steps run from T−1 down to 0 (outputs stay indexed by t).
 */
export const scan: OpDef<'scan'> = {
  name: 'scan',
  kind: 'control',
  arity: [1, Number.POSITIVE_INFINITY],
  attrs: { body: 'graph', carries: 'integer', sequences: 'integer', reverse: 'boolean' },
  summary: 'recurrence: a body graph applied at every time step',
  infer: (inputs, { body, carries, sequences }, ctx) => {
    const sig = ctx.verifyBody(body)
    if (carries < 0 || sequences < 1)
      fail(`a scan needs at least one sequence, got carries ${carries}, sequences ${sequences}`)
    if (inputs.length !== sig.inputs.length)
      fail(`the body binds ${sig.inputs.length} inputs but the scan passes ${inputs.length}`)
    if (sig.outputs.length < carries)
      fail(`the body returns ${sig.outputs.length} outputs, fewer than its ${carries} carries`)
    const expect = (i: number, outer: ValueType, want: ValueType, role: string) => {
      if (!sameType(outer, want))
        fail(`${role} (input ${i}) is ${formatType(outer)}, the body expects ${formatType(want)}`)
    }
    inputs.forEach((outer, i) => {
      const inner = sig.inputs[i]!
      if (i < carries) {
        expect(i, outer, inner, 'carry')
        expect(i, sig.outputs[i]!, inner, 'the body output for carry')
      } else if (i < carries + sequences) {
        if (inner.layout !== 'batch')
          fail(`sequence input ${i} must bind a batch input in the body, got ${formatType(inner)}`)
        expect(i, outer, { layout: 'seq', shape: inner.shape }, 'sequence')
      } else {
        if (inner.layout !== 'tensor') fail(`loop invariant ${i} must be a tensor, got ${formatType(inner)}`)
        expect(i, outer, inner, 'loop invariant')
      }
    })
    const ys = sig.outputs.slice(carries).map((t, k): ValueType => {
      if (t.layout !== 'batch') fail(`per-step output ${k} must be a batch value, got ${formatType(t)}`)
      return { layout: 'seq', shape: t.shape }
    })
    return [...sig.outputs.slice(0, carries), ...ys]
  },
}
