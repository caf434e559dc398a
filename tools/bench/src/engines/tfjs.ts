import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import type { Engine, Session } from '../engine.js'
import { measureSession } from '../engine.js'
import { batchMajor, type TfjsLstmWeights, tfjsFromTorch, torchLstmWeights } from '../layouts.js'
import type { CheckCase, Problem } from '../workload.js'

export type TfjsBackend = 'cpu' | 'wasm'
export type TfjsStyle = 'layers' | 'cell'
export const learningRate = 1e-3

/** Both styles share this: a prepared input, a loss for training and a forward pass for inference. */
interface TfjsModel {
  readonly variables: tf.Variable[]
  /** Input layout: batch-major [B, T, I] for tf.layers, time-major [T, B, I] for the cell. */
  readonly batchMajor: boolean
  forward(x: tf.Tensor3D): tf.Tensor3D
  dispose(): void
}

/** tf.layers.lstm with PyTorch's weights and a sigmoid recurrent activation (tfjs defaults to hardSigmoid). */
function layersModel(w: TfjsLstmWeights, input: number, hidden: number): TfjsModel {
  const model = tf.sequential({
    layers: [
      tf.layers.lstm({
        units: hidden,
        returnSequences: true,
        recurrentActivation: 'sigmoid',
        inputShape: [null, input],
        // setWeights replaces them: the default orthogonal initializer takes minutes at H=512
        kernelInitializer: 'zeros',
        recurrentInitializer: 'zeros',
      }),
    ],
  })
  model.setWeights([
    tf.tensor2d(w.kernel, [input, 4 * hidden]),
    tf.tensor2d(w.recurrentKernel, [hidden, 4 * hidden]),
    tf.tensor1d(w.bias),
  ])
  return {
    variables: model.trainableWeights.map((v) => v.read() as tf.Variable),
    batchMajor: true,
    forward: (x) => model.apply(x, { training: true }) as tf.Tensor3D,
    dispose: () => model.dispose(),
  }
}

/**
 * The LSTM written by hand with tfjs ops, as a user would for a custom cell: per step
 * x_t·K + h·U + b, the gates and the state update. (Hoisting x·K out of the loop as one product
 * made it slower on tfjs-wasm, whose product slows down sharply with the row count here.)
 */
function cellModel(w: TfjsLstmWeights, input: number, hidden: number): TfjsModel {
  const kernel = tf.variable(tf.tensor2d(w.kernel, [input, 4 * hidden]))
  const recurrent = tf.variable(tf.tensor2d(w.recurrentKernel, [hidden, 4 * hidden]))
  const bias = tf.variable(tf.tensor1d(w.bias))
  return {
    variables: [kernel, recurrent, bias],
    batchMajor: false,
    forward: (x) => {
      const [, batch] = x.shape
      let h: tf.Tensor2D = tf.zeros([batch, hidden])
      let c: tf.Tensor2D = tf.zeros([batch, hidden])
      const hs: tf.Tensor2D[] = []
      for (const xt of tf.unstack(x) as tf.Tensor2D[]) {
        const z = tf.add(tf.add(tf.matMul(xt, kernel), tf.matMul(h, recurrent)), bias)
        const [zi, zf, zg, zo] = tf.split(z, 4, 1)
        c = tf.add(tf.mul(tf.sigmoid(zf!), c), tf.mul(tf.sigmoid(zi!), tf.tanh(zg!)))
        h = tf.mul(tf.sigmoid(zo!), tf.tanh(c))
        hs.push(h)
      }
      return tf.stack(hs) as tf.Tensor3D
    },
    dispose: () => tf.dispose([kernel, recurrent, bias]),
  }
}

/** Prepared host data for one run: the input in the model's layout and the matching slice of R. */
export interface TfjsInput {
  readonly x: Float32Array
  readonly dims: [number, number, number]
  readonly R: tf.Tensor3D
}

/**
 * Opens tfjs on `problem` with weights in tfjs's layout (by default mapped from the cell's PyTorch
 * layout; tests pass wrong ones to see the loss check catch them).
 */
export async function openTfjsSession(
  backend: TfjsBackend,
  style: TfjsStyle,
  problem: Problem,
  w: TfjsLstmWeights = tfjsFromTorch(
    torchLstmWeights(problem.cell, problem.params),
    problem.config.input,
    problem.config.hidden,
  ),
): Promise<Session<TfjsInput>> {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not start its ${backend} backend`)
  const { input, hidden, batch } = problem.config
  const model = (style === 'layers' ? layersModel : cellModel)(w, input, hidden)
  const optimizer = tf.train.sgd(learningRate)
  const targets = new Map<number, tf.Tensor3D>()
  const dimsFor = (steps: number, b: number, f: number): [number, number, number] =>
    model.batchMajor ? [b, steps, f] : [steps, b, f]
  const layout = (x: Float32Array, steps: number, b: number, f: number) =>
    model.batchMajor ? batchMajor(x, steps, b, f) : x
  // R sliced to the first `steps` timesteps, uploaded once: it is fixed, not per-run data
  const targetFor = (steps: number) => {
    let r = targets.get(steps)
    if (!r) {
      const slice = problem.R.subarray(0, steps * batch * hidden)
      targets.set(
        steps,
        (r = tf.tensor3d(layout(slice, steps, batch, hidden), dimsFor(steps, batch, hidden))),
      )
    }
    return r
  }
  const lossOf = (x: tf.Tensor3D, R: tf.Tensor3D) => tf.sum(tf.mul(model.forward(x), R)) as tf.Scalar
  return {
    async checkLoss(check: CheckCase) {
      const { steps, batch: b } = check
      const loss = tf.tidy(() =>
        lossOf(
          tf.tensor3d(layout(check.x, steps, b, input), dimsFor(steps, b, input)),
          tf.tensor3d(layout(check.R, steps, b, hidden), dimsFor(steps, b, hidden)),
        ),
      )
      const value = (await loss.data())[0]!
      loss.dispose()
      return value
    },
    prepare: (x, steps) => ({
      x: layout(x, steps, batch, input),
      dims: dimsFor(steps, batch, input),
      R: targetFor(steps),
    }),
    async train({ x, dims, R }) {
      const { value, grads } = tf.variableGrads(() => lossOf(tf.tensor3d(x, dims), R), model.variables)
      optimizer.applyGradients(grads)
      await value.data()
      tf.dispose([value, ...Object.values(grads)])
    },
    async infer({ x, dims }) {
      const y = tf.tidy(() => model.forward(tf.tensor3d(x, dims)))
      await y.data()
      y.dispose()
    },
    dispose() {
      model.dispose()
      optimizer.dispose()
      tf.dispose([...targets.values()])
    },
  }
}

/** TensorFlow.js on one backend, as tf.layers.lstm or as a hand-written cell with variableGrads. */
export function tfjsEngine(backend: TfjsBackend, style: TfjsStyle): Engine {
  const name = `tfjs-${backend} ${style === 'layers' ? 'layers.lstm' : 'hand-written cell'}`
  return {
    name,
    slow: true,
    run: async (problem, request) =>
      measureSession(name, await openTfjsSession(backend, style, problem), problem, request),
  }
}
