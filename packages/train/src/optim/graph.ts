import {
  add,
  div,
  type Graph,
  GraphBuilder,
  isfinite,
  min,
  mul,
  sqrt,
  sub,
  sumAll,
  type Value,
  where,
} from '@cellgraph/graph'
import { type OptimizerConfig, optimizerSlots, withDefaults } from './config.js'

export interface ParamShape {
  readonly name: string
  readonly shape: readonly number[]
}

const tensorLeaf = (b: GraphBuilder, name: string, shape: readonly number[]) =>
  b.leaf('input', name, { name, type: { layout: 'tensor', shape: [...shape] } })

/**
 * One optimizer step over every parameter as one graph, so it runs as one execution on whichever
 * backend holds the parameters and nothing comes back to the host before the updates.
 *
 * Inputs: per parameter `p`, `param.<p>`, `grad.<p>` and one tensor per slot (`momentum_buffer.<p>`,
 * or `exp_avg.<p>` and `exp_avg_sq.<p>`); the scalars `lr` (this step's learning rate), `bias1` =
 * 1 − β₁ᵗ and `bias2` = 1 − β₂ᵗ (Adam's bias corrections for step t, computed on the host), and
 * `loss` (the step's loss, passed through to the report). Outputs: the new `param.<p>` and slots,
 * to be run `into` the input tensors (an update in place), and `report` = [loss, gradient norm],
 * the norm √(Σ‖g‖²) over every gradient before clipping, so both come back in one read. With
 * `clipNorm`, every gradient is first scaled by min(1, clipNorm / (norm + 1e-6)), as
 * torch.nn.utils.clip_grad_norm_ does, the factor computed on the device.
 *
 * The whole update is gated on the step being finite, on the device: unless the loss and the norm
 * are both finite (a NaN or ±Inf in any gradient makes the norm so), every output is its input
 * unchanged, so a diverged step leaves the parameters and moments as they were while the report
 * still carries the non-finite value for the host to raise.
 */
export function optimizerGraph(
  config: OptimizerConfig,
  params: readonly ParamShape[],
  clipNorm?: number,
): Graph {
  const c = withDefaults(config)
  const b = new GraphBuilder()
  const scalar = (name: string) => tensorLeaf(b, name, [])
  const loss = scalar('loss')
  const lr = scalar('lr')
  const bias1 = scalar('bias1')
  const bias2 = scalar('bias2')
  const grads = params.map((p) => tensorLeaf(b, `grad.${p.name}`, p.shape))
  const norm = sqrt(grads.map((g) => sumAll(mul(g, g))).reduce((s, q) => add(s, q)))
  // isfinite tests the bits: a comparison with NaN may be folded away by a shader compiler.
  const ok = mul(isfinite(loss), isfinite(norm))
  const gated = (updated: Value, old: Value) => where(ok, updated, old)
  const scale = clipNorm === undefined ? undefined : min(1, div(clipNorm, add(norm, 1e-6)))
  // [1, 0] picks the loss into the report's first place and the norm into its second.
  const report = where(tensorLeaf(b, 'report.first', [2]), loss, norm)
  const outputs: { name: string; value: Value }[] = [{ name: 'report', value: report }]
  params.forEach((p, k) => {
    const slots = Object.fromEntries(
      optimizerSlots(config).map((s) => [s, tensorLeaf(b, `${s}.${p.name}`, p.shape)]),
    )
    let g = scale ? mul(grads[k]!, scale) : grads[k]!
    const old = tensorLeaf(b, `param.${p.name}`, p.shape)
    let w = old
    if (c.kind === 'sgd') {
      if (c.weightDecay !== 0) g = add(g, mul(c.weightDecay, w))
      if (c.momentum !== 0) {
        // PyTorch starts the buffer at the first gradient; from zeros, momentum·0 + g is the same.
        g = add(mul(c.momentum, slots.momentum_buffer!), g)
        outputs.push({ name: `momentum_buffer.${p.name}`, value: gated(g, slots.momentum_buffer!) })
      }
      w = sub(w, mul(lr, g))
    } else {
      if (c.kind === 'adamw') w = mul(w, sub(1, mul(lr, c.weightDecay)))
      else if (c.weightDecay !== 0) g = add(g, mul(c.weightDecay, w))
      const m = add(mul(c.beta1, slots.exp_avg!), mul(1 - c.beta1, g))
      const v = add(mul(c.beta2, slots.exp_avg_sq!), mul(1 - c.beta2, mul(g, g)))
      outputs.push(
        { name: `exp_avg.${p.name}`, value: gated(m, slots.exp_avg!) },
        { name: `exp_avg_sq.${p.name}`, value: gated(v, slots.exp_avg_sq!) },
      )
      // p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε), PyTorch's arrangement of the bias corrections.
      const denom = add(div(sqrt(v), sqrt(bias2)), c.eps)
      w = sub(w, mul(div(lr, bias1), div(m, denom)))
    }
    outputs.push({ name: `param.${p.name}`, value: gated(w, old) })
  })
  return b.build(outputs)
}
