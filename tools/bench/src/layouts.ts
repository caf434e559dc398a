import { type Cell, type Tensor, toTorch } from '@cellgraph/graph'

/** nn.LSTM's tensors in float32: weight_ih [4H, I], weight_hh [4H, H], bias_ih, bias_hh (gates i, f, g, o). */
export interface TorchLstmWeights {
  readonly weight_ih: Float32Array
  readonly weight_hh: Float32Array
  readonly bias_ih: Float32Array
  readonly bias_hh: Float32Array
}

/** A cell's parameters in PyTorch's layout, through the cell's own mapping (`toTorch`). */
export function torchLstmWeights(cell: Cell, params: Readonly<Record<string, Tensor>>): TorchLstmWeights {
  if (!cell.torch) throw new Error(`cell '${cell.name}' has no PyTorch layout`)
  const t = toTorch(cell.torch, params)
  const get = (name: string) => {
    const v = t[name]
    if (!v) throw new Error(`cell '${cell.name}' maps no PyTorch tensor '${name}'`)
    return Float32Array.from(v.data)
  }
  return {
    weight_ih: get('weight_ih'),
    weight_hh: get('weight_hh'),
    bias_ih: get('bias_ih'),
    bias_hh: get('bias_hh'),
  }
}

/** tf.layers.lstm's weights: kernel [I, 4H], recurrentKernel [H, 4H], one bias [4H]; gates i, f, c, o. */
export interface TfjsLstmWeights {
  readonly kernel: Float32Array
  readonly recurrentKernel: Float32Array
  readonly bias: Float32Array
}

/** Transposes a row-major [rows, cols] matrix. */
export function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!
  return out
}

/** PyTorch's LSTM layout to TensorFlow.js's: the same gate order, transposed, the biases summed. */
export function tfjsFromTorch(w: TorchLstmWeights, input: number, hidden: number): TfjsLstmWeights {
  const bias = new Float32Array(4 * hidden)
  for (let k = 0; k < bias.length; k++) bias[k] = w.bias_ih[k]! + w.bias_hh[k]!
  return {
    kernel: transpose(w.weight_ih, 4 * hidden, input),
    recurrentKernel: transpose(w.weight_hh, 4 * hidden, hidden),
    bias,
  }
}

/** Time-major [T, B, F] to batch-major [B, T, F]. */
export function batchMajor(x: Float32Array, steps: number, batch: number, features: number): Float32Array {
  const out = new Float32Array(x.length)
  for (let t = 0; t < steps; t++)
    for (let b = 0; b < batch; b++)
      out.set(
        x.subarray((t * batch + b) * features, (t * batch + b + 1) * features),
        (b * steps + t) * features,
      )
  return out
}
