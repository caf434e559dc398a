import { exportOnnx } from '@cellgraph/interop'
import { type Engine, measureSession, NotInstalled, type Session } from '../engine.js'
import type { Problem } from '../workload.js'

type Ort = typeof import('onnxruntime-node')

async function loadOrt(): Promise<Ort> {
  try {
    return await import('onnxruntime-node')
  } catch (error) {
    throw new NotInstalled(`not installed: ${(error as Error).message.split('\n')[0]}`)
  }
}

/** Σ y·R in float64 over y [T, B, H]. */
const dot = (y: Float32Array, r: Float32Array) => {
  let sum = 0
  for (let i = 0; i < y.length; i++) sum += y[i]! * r[i]!
  return sum
}

async function openSession(ort: Ort, problem: Problem, threads: number): Promise<Session<Float32Array>> {
  const { batch, input, hidden } = problem.config
  const { cell, params } = problem
  const model = exportOnnx({
    cells: [cell],
    params: Object.fromEntries(Object.entries(params).map(([name, t]) => [`l0.${name}`, t])),
  })
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  })
  const forward = async (x: Float32Array, steps: number, b: number) => {
    const feeds: Record<string, InstanceType<Ort['Tensor']>> = {
      x: new ort.Tensor('float32', x, [steps, b, input]),
    }
    for (const s of cell.state)
      feeds[`l0.${s}0`] = new ort.Tensor('float32', new Float32Array(b * hidden), [1, b, hidden])
    const out = await session.run(feeds)
    return out.y!.data as Float32Array
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

/** onnxruntime-node (native) running the same weights exported by `exportOnnx` (an ONNX LSTM node): inference only. */
export function onnxEngine(threads: number): Engine {
  const name = `onnxruntime-node (${threads} thread${threads > 1 ? 's' : ''})`
  return {
    name,
    modes: ['infer'],
    run: async (problem, request) =>
      measureSession(name, await openSession(await loadOrt(), problem, threads), problem, request),
  }
}
