import { readFileSync } from 'node:fs'
import { evaluate, lengthMask, swapLeadingAxes, tensor } from '@cellgraph/graph'
import { loadTorchStateDict, saveTorchStateDict } from '@cellgraph/interop'

// safetensors.torch.save_file(nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True).state_dict(), path)
const file = new URL('../test/fixtures/torch/gru_l2_bi_bf_f32.safetensors', import.meta.url)
const module = { cell: 'gru', layers: 2, bidirectional: true, batchFirst: true } as const
const model = loadTorchStateDict(readFileSync(file), { ...module, lengths: true })
const states = Object.fromEntries(['l0.h0', 'l0.reverse.h0', 'l1.h0', 'l1.reverse.h0'].map((s) => [s, tensor([2, 4])]))
const x = tensor([2, 5, 3], Array.from({ length: 30 }, (_, i) => Math.sin(i))) // [B, T, I], batch first
export const out = evaluate(model.graph, { ...model.params, ...states, x: swapLeadingAxes(x), mask: lengthMask([5, 3], 5) })
console.log(swapLeadingAxes(out.y!).dims) // [2, 5, 8], as PyTorch's output
export const saved = saveTorchStateDict(model.params, module, { dtype: 'BF16' }) // back to PyTorch, in bfloat16
