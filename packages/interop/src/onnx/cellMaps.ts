/**
 * How a built-in cell's parameters make up an ONNX recurrent operator's W, R, B (and P): one
 * entry per ONNX gate, in ONNX's gate order. A gate over concat(h, x) is one cellgraph layer whose
 * x columns are W's rows and h columns R's; GRU's candidate has separate x and h layers.
 */
export type GateSource =
  | { readonly hx: string; readonly recurrentBias: boolean }
  | { readonly x: string; readonly h: string }

export interface OnnxCellMap {
  readonly op: 'LSTM' | 'GRU' | 'RNN'
  readonly gates: readonly GateSource[]
  /** LSTM peephole vectors in ONNX's P order (i, o, f). */
  readonly peepholes?: readonly string[]
  readonly attrs?: Readonly<Record<string, number>>
  /** ONNX's activations per direction, when not the operator's defaults. */
  readonly activations?: readonly string[]
}

const hx = (name: string, recurrentBias = true): GateSource => ({ hx: name, recurrentBias })

/** The built-in cells that are ONNX operators, by cellgraph cell name. */
export const onnxCellMaps: Readonly<Record<string, OnnxCellMap>> = {
  lstm: { op: 'LSTM', gates: [hx('i'), hx('o'), hx('f'), hx('g')] },
  peephole_lstm: {
    op: 'LSTM',
    gates: [hx('i', false), hx('o', false), hx('f', false), hx('g', false)],
    peepholes: ['p_i', 'p_o', 'p_f'],
  },
  gru: { op: 'GRU', gates: [hx('z'), hx('r'), { x: 'n_x', h: 'n_h' }], attrs: { linear_before_reset: 1 } },
  rnn: { op: 'RNN', gates: [hx('rnn')] },
  rnn_relu: { op: 'RNN', gates: [hx('rnn')], activations: ['Relu'] },
  onnx_gru: { op: 'GRU', gates: [hx('z'), hx('r'), hx('n')], attrs: { linear_before_reset: 0 } },
}
