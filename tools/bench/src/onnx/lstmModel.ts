import type { TorchLstmWeights } from '../layouts.js'
import { ProtoWriter } from './protobuf.js'

// Field numbers and enums of onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, ...)
const FLOAT = 1
const ATTRIBUTE_INT = 2
const IR_VERSION = 8
const OPSET = 14

/** Reorders nn.LSTM's gate blocks (i, f, g, o) into ONNX's (i, o, f, c), `size` values per block. */
export function onnxGateOrder(torch: Float32Array, size: number): Float32Array {
  const out = new Float32Array(torch.length)
  ;[0, 3, 1, 2].forEach((from, to) => out.set(torch.subarray(from * size, (from + 1) * size), to * size))
  return out
}

const tensorProto = (w: ProtoWriter, name: string, dims: readonly number[], data: Float32Array) => {
  for (const d of dims) w.int(1, d)
  w.int(2, FLOAT)
  w.string(8, name)
  w.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
}

/** A float tensor value [dims...]; a string dim is symbolic (e.g. the sequence length). */
const valueInfo = (w: ProtoWriter, name: string, dims: readonly (number | string)[]) => {
  w.string(1, name)
  w.message(2, (type) =>
    type.message(1, (t) => {
      t.int(1, FLOAT)
      t.message(2, (shape) => {
        for (const d of dims)
          shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)))
      })
    }),
  )
}

/**
 * An ONNX model of one LSTM layer with PyTorch's weights, zero initial state: input X [T, B, I]
 * (T and B symbolic), output Y [T, 1, B, H].
 */
export function lstmOnnxModel(w: TorchLstmWeights, input: number, hidden: number): Uint8Array {
  const bias = new Float32Array(8 * hidden)
  bias.set(onnxGateOrder(w.bias_ih, hidden), 0)
  bias.set(onnxGateOrder(w.bias_hh, hidden), 4 * hidden)
  return new ProtoWriter()
    .int(1, IR_VERSION)
    .message(8, (opset) => opset.string(1, '').int(2, OPSET))
    .message(7, (graph) => {
      graph.message(1, (node) => {
        for (const i of ['X', 'W', 'R', 'B']) node.string(1, i)
        node.string(2, 'Y')
        node.string(3, 'lstm')
        node.string(4, 'LSTM')
        node.message(5, (a) => a.string(1, 'hidden_size').int(3, hidden).int(20, ATTRIBUTE_INT))
      })
      graph.string(2, 'cellgraph_bench_lstm')
      graph.message(5, (t) =>
        tensorProto(t, 'W', [1, 4 * hidden, input], onnxGateOrder(w.weight_ih, hidden * input)),
      )
      graph.message(5, (t) =>
        tensorProto(t, 'R', [1, 4 * hidden, hidden], onnxGateOrder(w.weight_hh, hidden * hidden)),
      )
      graph.message(5, (t) => tensorProto(t, 'B', [1, 8 * hidden], bias))
      graph.message(11, (v) => valueInfo(v, 'X', ['T', 'B', input]))
      graph.message(12, (v) => valueInfo(v, 'Y', ['T', 1, 'B', hidden]))
    })
    .finish()
}
