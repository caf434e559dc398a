import { GraphError } from '../errors.js'
import type { Graph } from '../ir.js'
import { GraphBuilder, type Value } from './builder.js'
import { type Cell, type CellDefinition, cellParams, outputSize } from './cell.js'
import { clippedBody } from './clippedBody.js'
import { maskedBody } from './maskedBody.js'

/** Which way each layer reads the sequence; `bidirectional` runs both and concatenates their outputs. */
export type Direction = 'forward' | 'reverse' | 'bidirectional'

export const directions: readonly Direction[] = ['forward', 'reverse', 'bidirectional']

export interface StackSizes {
  readonly input: number
  readonly hidden: number
  readonly layers: number
  /** With `bidirectional`, layer l > 0 reads both directions of layer l−1 (twice its output size). */
  readonly direction?: Direction
  /** Every layer's cell with biases (default true) or without, as PyTorch's `bias`. */
  readonly bias?: boolean
}

/** The options of a sequence model, as PyTorch's nn.RNN/LSTM/GRU and ONNX's RNN/LSTM/GRU have them. */
export interface SequenceOptions {
  /** Default `forward`. */
  readonly direction?: Direction
  /**
   * Per-sequence lengths: adds the input `mask` [T,B,1] (see `lengthMask`). Past its length a
   * sequence's states stay unchanged and its outputs are zero, in both directions.
   */
  readonly lengths?: boolean
  /** Clamps gate pre-activations to [−clip, clip] (ONNX's `clip`; see `clippedBody`). */
  readonly clip?: number
}

/** The cells of a stack: layer 0 reads the input, layer l > 0 reads layer l−1's output. */
export function stackCells(
  definition: CellDefinition,
  { input, hidden, layers, direction = 'forward', bias }: StackSizes,
): Cell[] {
  if (!Number.isInteger(layers) || layers < 1)
    throw new GraphError(`a stack needs at least one layer, got ${layers}`)
  checkDirection(direction)
  const width = direction === 'bidirectional' ? 2 : 1
  const cells: Cell[] = []
  for (let l = 0; l < layers; l++)
    cells.push(
      definition({
        input: l === 0 ? input : width * outputSize(cells[l - 1]!),
        hidden,
        ...(bias === undefined ? {} : { bias }),
      }),
    )
  return cells
}

function checkDirection(direction: string) {
  if (!(directions as readonly string[]).includes(direction))
    throw new GraphError(`direction must be one of ${directions.join(', ')}, got '${direction}'`)
}

/**
 * A multi-layer recurrent model over a whole sequence: one `scan` per layer and direction. Inputs:
 * `x` [T,B,I], with `lengths` the step mask `mask` [T,B,1], then per layer its initial states
 * `l<k>.<state>0` and parameters `l<k>.<param>` (the reverse direction of a bidirectional layer:
 * `l<k>.reverse.<state>0`, `l<k>.reverse.<param>`). Outputs: `y` (the last layer's outputs,
 * [T,B,H], or [T,B,2H] with the forward direction's first, as PyTorch lays them out) and every
 * layer's final states `l<k>.<state>` (and `l<k>.reverse.<state>`).
 */
export function sequenceGraph(cells: readonly Cell[], options: SequenceOptions = {}): Graph {
  const b = new GraphBuilder()
  const first = cells[0]
  if (!first) throw new GraphError('a sequence model needs at least one cell')
  const seqInput = (name: string, size: number) =>
    b.leaf('input', name, { name, type: { layout: 'seq', shape: [size] } })
  const x = seqInput('x', first.sizes.input)
  const mask = options.lengths ? seqInput('mask', 1) : undefined
  const { y, finals } = stackLayers(b, x, cells, { ...options, ...(mask ? { mask } : {}) })
  return b.build([{ name: 'y', value: y }, ...finals])
}

export interface StackLayersOptions {
  readonly direction?: Direction
  readonly clip?: number
  /** The step mask [T,B,1] of per-sequence lengths (see `SequenceOptions.lengths`). */
  readonly mask?: Value
  /** Applied to layer l's output sequence before layer l + 1 reads it (dropout, for one). */
  readonly between?: (xs: Value, layer: number) => Value
}

/**
 * The layers of a sequence model inside a graph being built, reading `xs`: per layer its initial
 * states and parameters as leaves (named as in `sequenceGraph`), one scan per direction. Returns
 * the last layer's output sequence and every layer's final states, named `l<k>.<state>`.
 */
export function stackLayers(
  b: GraphBuilder,
  xs: Value,
  cells: readonly Cell[],
  options: StackLayersOptions = {},
): { y: Value; finals: { name: string; value: Value }[] } {
  const { direction = 'forward', clip, mask, between } = options
  checkDirection(direction)
  const finals: { name: string; value: Value }[] = []
  cells.forEach((cell, l) => {
    let body = clip === undefined ? cell.graph : clippedBody(cell.graph, clip, cell.state.length)
    if (mask) body = maskedBody(body, cell.state.length)
    const run = (prefix: string, reverse: boolean): Value => {
      const states = cell.state.map((s) =>
        b.leaf('input', `${prefix}${s}0`, {
          name: `${prefix}${s}0`,
          type: { layout: 'batch', shape: [cell.sizes.hidden] },
        }),
      )
      const params = cellParams(cell).map((p) =>
        b.leaf('param', prefix + p.name, { name: prefix + p.name, shape: [...p.shape] }),
      )
      const sequences = mask ? [xs, mask] : [xs]
      const outs = b.apply(
        'scan',
        [...states, ...sequences, ...params],
        { body, carries: states.length, sequences: sequences.length, reverse },
        prefix.slice(0, -1),
      )
      cell.state.forEach((s, k) => finals.push({ name: `${prefix}${s}`, value: outs[k]! }))
      return outs[cell.state.length]!
    }
    const forward = run(`l${l}.`, direction === 'reverse')
    xs = direction === 'bidirectional' ? concatSeq(b, forward, run(`l${l}.reverse.`, true), l) : forward
    if (between && l < cells.length - 1) xs = between(xs, l)
  })
  return { y: xs, finals }
}

const concatSeq = (b: GraphBuilder, forward: Value, backward: Value, l: number): Value =>
  b.apply('concat', [forward, backward], {}, `l${l}.both`)[0]!
