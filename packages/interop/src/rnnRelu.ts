import { concat, defineCell, layer, layerBiases, relu, rnn } from '@cellgraph/graph'

/**
 * The vanilla RNN with ReLU, h' = relu(W·[h, x] + b + b2): PyTorch's nn.RNN(nonlinearity='relu')
 * and ONNX's RNN with activations ['Relu']. Its parameters are the built-in `rnn`'s (`bias` included).
 */
export const rnnRelu = defineCell(
  'rnn_relu',
  { state: ['h'], torch: (sizes) => rnn(sizes).torch! },
  ({ x, h }, sizes) => {
    const h2 = layer('rnn', concat(h, x), sizes.hidden, relu, { biases: layerBiases(sizes, 2) })
    return { state: { h: h2 }, output: h2 }
  },
)
