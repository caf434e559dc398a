import { readFileSync } from 'node:fs'
import { mseLoss, valueAndGrad, withLoss } from '@cellgraph/autodiff'
import { evaluate, type Tensor, tensor } from '@cellgraph/graph'
import { exportOnnx, importOnnx, loadTorchStateDict } from '@cellgraph/interop'
import * as ort from 'onnxruntime-node'

const fixture = (name: string) => readFileSync(new URL(`../test/fixtures/torch/${name}`, import.meta.url))
const f32 = (t: Tensor) => new ort.Tensor('float32', Float32Array.from(t.data), [...t.dims])
const wave = (dims: number[], k: number) => tensor(dims, Array.from({ length: dims.reduce((a, b) => a * b) }, (_, i) => Math.sin(k * i)))

// 1. PyTorch's weights in: nn.LSTM(3, 4) saved with safetensors.torch.save_file(m.state_dict(), ...)
const model = loadTorchStateDict(fixture('lstm_l1_f64.safetensors'), { cell: 'lstm' })

// 2. Fine-tune in cellgraph: gradient descent on a squared error to a target sequence
const inputs = { x: wave([5, 2, 3], 0.7), 'l0.h0': tensor([2, 4]), 'l0.c0': tensor([2, 4]) }
const target = tensor([5, 2, 4], Array(40).fill(0.25)) // teach it to output 0.25 everywhere
const training = withLoss(model.graph, ({ y }, b) => mseLoss(y!, b.leaf('input', 'target', { name: 'target', type: y!.type })))
const params = { ...model.params }
export const losses: number[] = []
for (let step = 0; step < 30; step++) {
  const { value, grads } = valueAndGrad(training, { ...params, ...inputs, target }, { loss: 'loss', wrt: Object.keys(params) })
  losses.push(value)
  for (const [name, g] of Object.entries(grads)) params[name] = tensor(g.dims, params[name]!.data.map((p, i) => p - 0.5 * g.data[i]!))
}

// 3. ONNX out: ONNX Runtime gives the fine-tuned model's outputs
const session = await ort.InferenceSession.create(exportOnnx({ ...model, params }))
const theirs = await session.run({ x: f32(inputs.x), 'l0.h0': f32(tensor([1, 2, 4])), 'l0.c0': f32(tensor([1, 2, 4])) })
const ours = evaluate(model.graph, { ...params, ...inputs }).y!
export const exportGap = Math.max(...(theirs.y!.data as Float32Array).map((v, i) => Math.abs(v - ours.data[i]!)))

// 4. ONNX in: an LSTM exported by torch.onnx.export runs in cellgraph as in ONNX Runtime
const onnxFile = fixture('lstm_torch.onnx')
const imported = importOnnx(onnxFile)
const reference = await (await ort.InferenceSession.create(onnxFile)).run({ x: f32(inputs.x) })
const mine = imported.outputsOf(evaluate(imported.graph, { ...imported.params, ...imported.inputsFrom({ x: inputs.x }) }))
export const importGap = Math.max(...(reference.y!.data as Float32Array).map((v, i) => Math.abs(v - mine.y!.data[i]!)))
console.log(`loss ${losses[0]!.toFixed(4)} -> ${losses.at(-1)!.toFixed(4)}; ONNX Runtime vs cellgraph: ${exportGap.toExponential(1)} out, ${importGap.toExponential(1)} in`)
