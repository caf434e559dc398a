import { lstm } from '@cellgraph/graph'
import { exportOnnx } from '@cellgraph/interop'
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { checkLoss, LossMismatchError } from '../src/agreement.js'
import { onnxEngine } from '../src/engines/onnx.js'
import { makeProblem } from '../src/workload.js'

const config = { name: 'tiny', batch: 3, steps: 5, input: 4, hidden: 6 }
const problem = makeProblem(lstm, config)

describe('the ONNX Runtime peer', () => {
  it('runs the exported model in onnxruntime-node with the same loss as the float64 reference', async () => {
    const [m] = await onnxEngine(1).run(problem, { modes: ['infer'], plan: { warmup: 0, reps: 1 }, steps: 5 })
    expect(m!.engine).toBe('onnxruntime-node (1 thread)')
    expect(m!.medianMs).toBeGreaterThan(0)
  })

  it('is caught by the loss check when two gates are swapped', async () => {
    const p = problem.params
    const swapped = { ...p, 'i.W': p['o.W']!, 'o.W': p['i.W']! }
    const model = exportOnnx({
      cells: [problem.cell],
      params: Object.fromEntries(Object.entries(swapped).map(([name, t]) => [`l0.${name}`, t])),
    })
    const session = await ort.InferenceSession.create(model)
    const { check } = problem
    const zeros = () => new ort.Tensor('float32', new Float32Array(check.batch * 6), [1, check.batch, 6])
    const out = await session.run({
      x: new ort.Tensor('float32', check.x, [check.steps, check.batch, 4]),
      'l0.h0': zeros(),
      'l0.c0': zeros(),
    })
    const y = out.y!.data as Float32Array
    const loss = y.reduce((s, v, i) => s + v * check.R[i]!, 0)
    await session.release()
    expect(() => checkLoss('onnx, swapped gates', loss, check)).toThrow(LossMismatchError)
  })
})
