import { add, div, type Graph, GraphBuilder, min, mul, sqrt, sub, sumAll, type Value } from '@cellgraph/graph'
import { type OptimizerConfig, optimizerSlots, withDefaults } from './config.js'

export interface ParamShape {
  readonly name: string
  readonly shape: readonly number[]
}

/**
 * One optimizer step as a graph, so it runs as kernels on whichever backend holds the parameters.
 *
 * Inputs (leaf names): `param.<p>`, `grad.<p>`, `<slot>.<p>` for every parameter p, and the scalars
 * `lr` (this step's learning rate), `bias1` = 1 − β₁ᵗ and `bias2` = 1 − β₂ᵗ (Adam's bias
 * corrections for step t, computed on the host). Outputs: the new `param.<p>` and `<slot>.<p>`
 * (run them `into` the input tensors to update in place) and `grad_norm`, the global gradient norm
 * before clipping. With `clipNorm`, gradients are scaled by min(1, clipNorm / (norm + 1e-6)) first,
 * as torch.nn.utils.clip_grad_norm_ does.
 */
export function optimizerGraph(
  config: OptimizerConfig,
  params: readonly ParamShape[],
  clipNorm?: number,
): Graph {
  const c = withDefaults(config)
  const b = new GraphBuilder()
  const scalar = (name: string) => b.leaf('input', name, { name, type: { layout: 'tensor', shape: [] } })
  const tensorInput = (name: string, shape: readonly number[]) =>
    b.leaf('input', name, { name, type: { layout: 'tensor', shape: [...shape] } })
  const slots = optimizerSlots(config)
  const leaves = params.map((p) => ({
    name: p.name,
    param: tensorInput(`param.${p.name}`, p.shape),
    grad: tensorInput(`grad.${p.name}`, p.shape),
    slots: Object.fromEntries(slots.map((s) => [s, tensorInput(`${s}.${p.name}`, p.shape)])),
  }))
  const lr = scalar('lr')
  const bias1 = scalar('bias1')
  const bias2 = scalar('bias2')

  const squares = leaves.map((l) => sumAll(mul(l.grad, l.grad)))
  const norm = sqrt(squares.reduce((s, q) => add(s, q)))
  const scale = clipNorm === undefined ? undefined : min(1, div(clipNorm, add(norm, 1e-6)))

  const outputs: { name: string; value: Value }[] = []
  for (const l of leaves) {
    let g = scale ? mul(l.grad, scale) : l.grad
    let p = l.param
    if (c.kind === 'sgd') {
      if (c.weightDecay !== 0) g = add(g, mul(c.weightDecay, p))
      if (c.momentum !== 0) {
        // PyTorch starts the buffer at the first gradient; from zeros, momentum·0 + g is the same.
        g = add(mul(c.momentum, l.slots.momentum_buffer!), g)
        outputs.push({ name: `momentum_buffer.${l.name}`, value: g })
      }
      p = sub(p, mul(lr, g))
    } else {
      if (c.kind === 'adamw') p = mul(p, sub(1, mul(lr, c.weightDecay)))
      else if (c.weightDecay !== 0) g = add(g, mul(c.weightDecay, p))
      const m = add(mul(c.beta1, l.slots.exp_avg!), mul(1 - c.beta1, g))
      const v = add(mul(c.beta2, l.slots.exp_avg_sq!), mul(1 - c.beta2, mul(g, g)))
      outputs.push({ name: `exp_avg.${l.name}`, value: m }, { name: `exp_avg_sq.${l.name}`, value: v })
      // p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε), PyTorch's arrangement of the bias corrections.
      const denom = add(div(sqrt(v), sqrt(bias2)), c.eps)
      p = sub(p, mul(div(lr, bias1), div(m, denom)))
    }
    outputs.push({ name: `param.${l.name}`, value: p })
  }
  outputs.push({ name: 'grad_norm', value: norm })
  return b.build(outputs)
}
