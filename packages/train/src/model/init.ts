import type { Rng } from '@cellgraph/graph'
import { outputSize } from '@cellgraph/graph'
import type { ModelLayers } from '../recurrent/options.js'

/**
 * Seeded initial parameters, following PyTorch's defaults: recurrent layers draw every weight and
 * bias from U(−1/√H, 1/√H) (nn.RNN / nn.LSTM / nn.GRU); the head, like nn.Linear, from
 * U(−1/√fan_in, 1/√fan_in); the embedding, like nn.Embedding, from N(0, 1).
 */
export function initParams(
  model: ModelLayers,
  params: readonly { name: string; shape: readonly number[] }[],
  rng: Rng,
): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {}
  for (const p of params) {
    const data = new Float64Array(p.shape.reduce((n, d) => n * d, 1))
    if (p.name === 'embed.W') for (let i = 0; i < data.length; i++) data[i] = gaussian(rng)
    else {
      const bound = 1 / Math.sqrt(fanFor(model, p.name))
      for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-bound, bound)
    }
    out[p.name] = data
  }
  return out
}

function fanFor(model: ModelLayers, name: string): number {
  if (name.startsWith('head.'))
    return (model.direction === 'bidirectional' ? 2 : 1) * outputSize(model.cells.at(-1)!)
  const layer = /^l(\d+)\./.exec(name)
  if (!layer) throw new Error(`no initialisation rule for parameter '${name}'`)
  return model.cells[Number(layer[1])]!.sizes.hidden
}

/** A standard normal draw (Box–Muller). */
function gaussian(rng: Rng): number {
  const u = 1 - rng.next()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next())
}
