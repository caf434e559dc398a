import { cellParams, fromTorch, type Tensor, tensor, toTorch } from '@cellgraph/graph'
import type { ModelLayers } from '../recurrent/options.js'

/**
 * Parameter names as stored in checkpoints. They follow PyTorch's word-language-model layout where
 * the cell has PyTorch counterparts: `encoder.weight` [V, E] (nn.Embedding), `rnn.weight_ih_l0`,
 * `rnn.weight_hh_l0`, `rnn.bias_ih_l0`, `rnn.bias_hh_l0`, ... (nn.LSTM / nn.GRU / nn.RNN, the `_l<k>`
 * suffix per layer), `decoder.weight` [V, H] and `decoder.bias` (nn.Linear). Cells without a
 * PyTorch layout keep their own names as `rnn.l<k>.<param>`.
 */
export function toStoredNames(
  model: ModelLayers,
  params: Readonly<Record<string, Tensor>>,
): Record<string, Tensor> {
  const out: Record<string, Tensor> = {}
  if (model.embedding > 0) out['encoder.weight'] = transpose(params['embed.W']!)
  model.cells.forEach((cell, l) => {
    for (const { prefix, suffix } of directionsOf(model)) {
      const local = layerParams(
        params,
        `l${l}.${prefix}`,
        cellParams(cell).map((p) => p.name),
      )
      if (cell.torch)
        for (const [name, t] of Object.entries(toTorch(cell.torch, local, `_l${l}${suffix}`)))
          out[`rnn.${name}`] = t
      else for (const [name, t] of Object.entries(local)) out[`rnn.l${l}.${prefix}${name}`] = t
    }
  })
  out['decoder.weight'] = params['head.W']!
  out['decoder.bias'] = params['head.b']!
  return out
}

/** The model's parameters (graph names) from stored tensors; names and shapes were checked already. */
export function fromStoredNames(
  model: ModelLayers,
  stored: Readonly<Record<string, Tensor>>,
): Record<string, Tensor> {
  const out: Record<string, Tensor> = {}
  if (model.embedding > 0) out['embed.W'] = transpose(stored['encoder.weight']!)
  model.cells.forEach((cell, l) => {
    const shapes = Object.fromEntries(cellParams(cell).map((p) => [p.name, p.shape]))
    for (const { prefix, suffix } of directionsOf(model)) {
      const local = cell.torch
        ? fromTorch(
            cell.torch,
            Object.fromEntries(
              Object.entries(stored)
                .filter(([n]) => n.startsWith('rnn.'))
                .map(([n, t]) => [n.slice(4), t]),
            ),
            shapes,
            `_l${l}${suffix}`,
          )
        : Object.fromEntries(Object.keys(shapes).map((n) => [n, stored[`rnn.l${l}.${prefix}${n}`]!]))
      for (const [name, t] of Object.entries(local)) out[`l${l}.${prefix}${name}`] = t
    }
  })
  out['head.W'] = stored['decoder.weight']!
  out['head.b'] = stored['decoder.bias']!
  return out
}

const layerParams = (params: Readonly<Record<string, Tensor>>, prefix: string, names: readonly string[]) =>
  Object.fromEntries(
    names.map((n) => {
      const t = params[prefix + n]
      if (!t) throw new Error(`parameter '${prefix}${n}' is missing`)
      return [n, t]
    }),
  )

/** cellgraph's name prefix and PyTorch's name suffix of each direction (`_reverse`, as nn.LSTM). */
const directionsOf = (model: ModelLayers) =>
  model.direction === 'bidirectional'
    ? [
        { prefix: '', suffix: '' },
        { prefix: 'reverse.', suffix: '_reverse' },
      ]
    : [{ prefix: '', suffix: '' }]

function transpose(t: Tensor): Tensor {
  const [rows, cols] = t.dims as [number, number]
  const out = tensor([cols, rows])
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out.data[c * rows + r] = t.data[r * cols + c]!
  return out
}
