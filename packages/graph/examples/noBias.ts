import { cellFromJson, cellParams, cellToJson, lstm, stackCells, tensor, toTorch } from '@cellgraph/graph'

// As PyTorch's nn.LSTM(3, 4, num_layers=2, bias=False): no bias parameters at all
const cells = stackCells(lstm, { input: 3, hidden: 4, layers: 2, bias: false })
console.log(cellParams(cells[0]!).map((p) => p.name)) // ['i.W', 'f.W', 'g.W', 'o.W']
const again = cellFromJson(cellToJson(cells[1]!)) // the JSON keeps sizes.bias: false
const params = Object.fromEntries(cellParams(again).map((p) => [p.name, tensor(p.shape)]))
export const torch = toTorch(again.torch!, params, '_l1') // weight_ih_l1 and weight_hh_l1 only
