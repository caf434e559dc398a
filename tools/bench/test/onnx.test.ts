import { lstm } from '@cellgraph/graph'
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { checkLoss, LossMismatchError } from '../src/agreement.js'
import { onnxEngine } from '../src/engines/onnx.js'
import { torchLstmWeights } from '../src/layouts.js'
import { lstmOnnxModel, onnxGateOrder } from '../src/onnx/lstmModel.js'
import { makeProblem } from '../src/workload.js'

const config = { name: 'tiny', batch: 3, steps: 5, input: 4, hidden: 6 }
const problem = makeProblem(lstm, config)

describe('the ONNX LSTM model', () => {
  it("moves PyTorch's gate blocks i, f, g, o to ONNX's i, o, f, c", () => {
    expect([...onnxGateOrder(Float32Array.from([1, 1, 2, 2, 3, 3, 4, 4]), 2)]).toEqual([
      1, 1, 4, 4, 2, 2, 3, 3,
    ])
  })

  it('runs in onnxruntime-node with the same loss as the float64 reference', async () => {
    const [m] = await onnxEngine(1).run(problem, { modes: ['infer'], plan: { warmup: 0, reps: 1 }, steps: 5 })
    expect(m!.engine).toBe('onnxruntime-node (1 thread)')
    expect(m!.medianMs).toBeGreaterThan(0)
  })

  it('is caught by the loss check when the gates keep PyTorch order', async () => {
    const w = torchLstmWeights(problem.cell, problem.params)
    // undo the reordering the model applies, so ONNX reads PyTorch's order as its own
    const unordered = [0, 2, 3, 1]
    const back = (t: Float32Array, size: number) => {
      const out = new Float32Array(t.length)
      unordered.forEach((from, to) => out.set(t.subarray(from * size, (from + 1) * size), to * size))
      return out
    }
    expect(onnxGateOrder(back(w.bias_ih, 6), 6)).toEqual(w.bias_ih) // `back` inverts the reordering
    const wrong = {
      weight_ih: back(w.weight_ih, 6 * 4),
      weight_hh: back(w.weight_hh, 6 * 6),
      bias_ih: back(w.bias_ih, 6),
      bias_hh: back(w.bias_hh, 6),
    }
    const session = await ort.InferenceSession.create(lstmOnnxModel(wrong, 4, 6))
    const { check } = problem
    const out = await session.run({ X: new ort.Tensor('float32', check.x, [check.steps, check.batch, 4]) })
    const y = out.Y!.data as Float32Array
    const loss = y.reduce((s, v, i) => s + v * check.R[i]!, 0)
    await session.release()
    expect(() => checkLoss('onnx, PyTorch gate order', loss, check)).toThrow(LossMismatchError)
  })
})
