import { readFileSync } from 'node:fs'
import { mseLoss, valueAndGrad, withLoss } from '@cellgraph/autodiff'
import { tensor } from '@cellgraph/graph'
import { loadTorchStateDict, saveTorchStateDict } from '@cellgraph/interop'

// nn.LSTM(3, 4, bias=False) saved with safetensors: the cells have no bias parameters at all
const file = readFileSync(new URL('../test/fixtures/torch/lstm_l1_nobias_f32.safetensors', import.meta.url))
const model = loadTorchStateDict(file, { cell: 'lstm', bias: false })
console.log(Object.keys(model.params)) // ['l0.i.W', 'l0.f.W', 'l0.g.W', 'l0.o.W']

// Fine-tune: gradient descent on a squared error to 0.25 everywhere
const x = tensor([5, 2, 3], Array.from({ length: 30 }, (_, i) => Math.sin(0.7 * i)))
const inputs = { x, 'l0.h0': tensor([2, 4]), 'l0.c0': tensor([2, 4]), target: tensor([5, 2, 4], Array(40).fill(0.25)) }
const training = withLoss(model.graph, ({ y }, b) => mseLoss(y!, b.leaf('input', 'target', { name: 'target', type: y!.type })))
const params = { ...model.params }
export const losses: number[] = []
for (let step = 0; step < 20; step++) {
  const { value, grads } = valueAndGrad(training, { ...params, ...inputs }, { loss: 'loss', wrt: Object.keys(params) })
  losses.push(value)
  for (const [name, g] of Object.entries(grads)) params[name] = tensor(g.dims, params[name]!.data.map((p, i) => p - 0.5 * g.data[i]!))
}

// Back to PyTorch: nn.LSTM(3, 4, bias=False).load_state_dict(load_file(path)) takes it as it is
export const saved = saveTorchStateDict(params, { cell: 'lstm', bias: false })
