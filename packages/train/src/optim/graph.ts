import { add, div, type Graph, GraphBuilder, min, mul, sqrt, sub, sumAll, type Value } from '@cellgraph/graph'
import { type OptimizerConfig, optimizerSlots, withDefaults } from './config.js'

export interface ParamShape {
  readonly name: string
  readonly shape: readonly number[]
}

const tensorLeaf = (b: GraphBuilder, name: string, shape: readonly number[]) =>
  b.leaf('input', name, { name, type: { layout: 'tensor', shape: [...shape] } })

/** The global gradient norm √(Σ‖g‖²) over every parameter's gradient: inputs `grad.<p>`, output `grad_norm`. */
export function gradNormGraph(params: readonly ParamShape[]): Graph {
  const b = new GraphBuilder()
  const squares = params.map((p) => {
    const g = tensorLeaf(b, `grad.${p.name}`, p.shape)
    return sumAll(mul(g, g))
  })
  return b.build([{ name: 'grad_norm', value: sqrt(squares.reduce((s, q) => add(s, q))) }])
}

/**
 * One optimizer step for one parameter tensor as a graph, so it runs as kernels on whichever
 * backend holds the parameters (one small graph per parameter keeps every kernel's inputs few).
 *
 * Inputs: `param`, `grad` and one tensor per slot (`momentum_buffer`, or `exp_avg` and
 * `exp_avg_sq`), and the scalars `lr` (this step's learning rate), `bias1` = 1 − β₁ᵗ and
 * `bias2` = 1 − β₂ᵗ (Adam's bias corrections for step t, computed on the host), plus `grad_norm`
 * when clipping. Outputs: the new `param` and slots; run them `into` the input tensors to update in
 * place. With `clipNorm`, the gradient is first scaled by min(1, clipNorm / (grad_norm + 1e-6)), as
 * torch.nn.utils.clip_grad_norm_ does.
 */
export function updateGraph(config: OptimizerConfig, shape: readonly number[], clipNorm?: number): Graph {
  const c = withDefaults(config)
  const b = new GraphBuilder()
  const scalar = (name: string) => tensorLeaf(b, name, [])
  const param = tensorLeaf(b, 'param', shape)
  let g = tensorLeaf(b, 'grad', shape)
  const slots = Object.fromEntries(optimizerSlots(config).map((s) => [s, tensorLeaf(b, s, shape)]))
  const lr = scalar('lr')
  const bias1 = scalar('bias1')
  const bias2 = scalar('bias2')
  if (clipNorm !== undefined) g = mul(g, min(1, div(clipNorm, add(scalar('grad_norm'), 1e-6))))

  const outputs: { name: string; value: Value }[] = []
  let p = param
  if (c.kind === 'sgd') {
    if (c.weightDecay !== 0) g = add(g, mul(c.weightDecay, p))
    if (c.momentum !== 0) {
      // PyTorch starts the buffer at the first gradient; from zeros, momentum·0 + g is the same.
      g = add(mul(c.momentum, slots.momentum_buffer!), g)
      outputs.push({ name: 'momentum_buffer', value: g })
    }
    p = sub(p, mul(lr, g))
  } else {
    if (c.kind === 'adamw') p = mul(p, sub(1, mul(lr, c.weightDecay)))
    else if (c.weightDecay !== 0) g = add(g, mul(c.weightDecay, p))
    const m = add(mul(c.beta1, slots.exp_avg!), mul(1 - c.beta1, g))
    const v = add(mul(c.beta2, slots.exp_avg_sq!), mul(1 - c.beta2, mul(g, g)))
    outputs.push({ name: 'exp_avg', value: m }, { name: 'exp_avg_sq', value: v })
    // p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε), PyTorch's arrangement of the bias corrections.
    const denom = add(div(sqrt(v), sqrt(bias2)), c.eps)
    p = sub(p, mul(div(lr, bias1), div(m, denom)))
  }
  outputs.push({ name: 'param', value: p })
  return b.build(outputs)
}
