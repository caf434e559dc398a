import { type Engine, measureSession, NotInstalled, type Session } from '../engine.js'
import { torchLstmWeights } from '../layouts.js'
import { lstmOnnxModel } from '../onnx/lstmModel.js'
import type { Problem } from '../workload.js'

type Ort = typeof import('onnxruntime-node')

async function loadOrt(): Promise<Ort> {
  try {
    return await import('onnxruntime-node')
  } catch (error) {
    throw new NotInstalled(`not installed: ${(error as Error).message.split('\n')[0]}`)
  }
}

/** Σ y·R in float64 over ONNX's Y [T, 1, B, H], which has the same element order as [T, B, H]. */
const dot = (y: Float32Array, r: Float32Array) => {
  let sum = 0
  for (let i = 0; i < y.length; i++) sum += y[i]! * r[i]!
  return sum
}

async function openSession(ort: Ort, problem: Problem, threads: number): Promise<Session<Float32Array>> {
  const { batch, input, hidden } = problem.config
  const model = lstmOnnxModel(torchLstmWeights(problem.cell, problem.params), input, hidden)
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  })
  const forward = async (x: Float32Array, steps: number, b: number) => {
    const out = await session.run({ X: new ort.Tensor('float32', x, [steps, b, input]) })
    return out.Y!.data as Float32Array
  }
  return {
    checkLoss: async (check) => dot(await forward(check.x, check.steps, check.batch), check.R),
    prepare: (x) => x,
    train: () => Promise.reject(new Error('ONNX Runtime runs inference only')),
    async infer(x, steps) {
      await forward(x, steps, batch)
    },
    dispose: () => void session.release(),
  }
}

/** onnxruntime-node (native) running an ONNX LSTM node built from the same weights: inference only. */
export function onnxEngine(threads: number): Engine {
  const name = `onnxruntime-node (${threads} thread${threads > 1 ? 's' : ''})`
  return {
    name,
    modes: ['infer'],
    run: async (problem, request) =>
      measureSession(name, await openSession(await loadOrt(), problem, threads), problem, request),
  }
}
