import { type Engine, measureSession, NotInstalled, type Session } from '../engine.js'
import type { Problem } from '../workload.js'

/** One sequence per sample: brain.js takes a sample at a time as an array of per-step vectors. */
type BrainInput = Float32Array[][]

interface LstmTimeStep {
  initialize(): void
  trainPattern(input: Float32Array[], logErrorRate?: boolean): number
  runArrayOfArray(input: Float32Array[]): Float32Array
}

export const brainNote =
  'brain.js runs its own LSTM variant (recurrent.LSTMTimeStep: next-step prediction through an ' +
  'output layer of size I, its own weights and loss), one sample at a time: a batch of B is B calls. ' +
  'Its loss is not compared with the reference; its GFLOP/s use the standard LSTM count.'

function openSession(
  brain: { recurrent: { LSTMTimeStep: new (o: object) => LstmTimeStep } },
  problem: Problem,
) {
  const { input, hidden, batch } = problem.config
  const net = new brain.recurrent.LSTMTimeStep({
    inputSize: input,
    hiddenLayers: [hidden],
    outputSize: input,
    learningRate: 1e-3,
  })
  net.initialize()
  const session: Session<BrainInput> = {
    prepare: (x, steps) =>
      Array.from({ length: batch }, (_, b) =>
        Array.from({ length: steps }, (_, t) =>
          x.slice((t * batch + b) * input, (t * batch + b + 1) * input),
        ),
      ),
    async train(samples) {
      for (const sequence of samples) net.trainPattern(sequence)
    },
    async infer(samples) {
      for (const sequence of samples) net.runArrayOfArray(sequence)
    },
    dispose() {},
  }
  return session
}

/** brain.js, when it loads (it pulls GPU packages with native builds); a labelled LSTM variant at batch 1. */
const name = 'brain.js LSTMTimeStep (variant, batch 1)'

export const brainEngine: Engine = {
  name,
  note: brainNote,
  slow: true,
  run: async (problem, request) => {
    let brain: never
    try {
      brain = (await import('brain.js')).default as never
    } catch (error) {
      throw new NotInstalled(`not installed: ${(error as Error).message.split('\n')[0]}`)
    }
    return measureSession(name, openSession(brain, problem), problem, request)
  },
}
