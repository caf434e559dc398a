import { carriedStates, initialStates } from '@cellgraph/autodiff'
import type { Backend } from '@cellgraph/backends'
import type { Tensor } from '@cellgraph/graph'
import { oneHot, StreamBatcher } from '../data/batches.js'
import type { ModelConfig } from '../model/config.js'
import { modelGraph } from '../model/graph.js'
import { uploadAll, zeroStates } from './session.js'

export interface EvalResult {
  /** Mean cross-entropy in nats per character. */
  readonly loss: number
  readonly bitsPerChar: number
  readonly perplexity: number
  readonly characters: number
}

/**
 * The model's loss on a token stream: the stream is cut into `lanes` contiguous lanes read in
 * windows of `steps`, carrying state across windows, so every prediction after the first few
 * sees a long context.
 */
export async function evaluateStream(
  backend: Backend,
  model: ModelConfig,
  params: Readonly<Record<string, Tensor>>,
  stream: Int32Array,
  { lanes = 8, steps = 64 }: { lanes?: number; steps?: number } = {},
): Promise<EvalResult> {
  // Short streams (a small data file's held-out tail) get fewer lanes and shorter windows.
  lanes = Math.max(1, Math.min(lanes, Math.floor((stream.length - 1) / 2)))
  steps = Math.max(1, Math.min(steps, Math.floor(stream.length / lanes) - 1))
  const batcher = new StreamBatcher(stream, lanes, steps)
  const graph = modelGraph(model, { loss: true })
  const carried = carriedStates(graph)
  const executable = await backend.compile(graph)
  const V = model.vocabularySize
  const bound = uploadAll(backend, params)
  const states = zeroStates(backend, model, lanes)
  const rows = steps * lanes
  const x = backend.upload({ dims: [steps, lanes, V], data: new Float64Array(rows * V) })
  const targets = backend.upload({ dims: [steps, lanes, 1], data: new Float64Array(rows) })
  const mask = backend.upload({ dims: [steps, lanes, 1], data: new Float64Array(rows).fill(1) })
  const hot = new Float64Array(rows * V)
  let total = 0
  for (let k = 0; k < batcher.windows; k++) {
    const w = batcher.window(k)
    x.write(oneHot(w.inputs, V, hot))
    targets.write(Float64Array.from(w.targets))
    const out = await executable.run(
      { x, targets, mask, ...initialStates(carried, states), ...bound },
      { into: states }, // the final states replace the initial ones on the backend
    )
    total += (await out.loss!.read())[0]!
  }
  executable.dispose()
  const loss = total / batcher.windows
  return {
    loss,
    bitsPerChar: loss / Math.LN2,
    perplexity: Math.exp(loss),
    characters: batcher.windows * rows,
  }
}
